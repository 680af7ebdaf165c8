// A global subprogram with hidden visibility (libbpf's __hidden, as in usdt.bpf.h's bpf_usdt_arg): libbpf marks its
// BTF FUNC static, so the kernel verifies it in its caller's context. Verified as a global function, the read
// through an unchecked pointer argument would be refused.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__attribute__((visibility("hidden"))) __attribute__((noinline)) int read_twice(int *value)
{
    return *value * 2;
}

SEC("xdp")
int calls_hidden(struct xdp_md *ctx)
{
    int v = 21;
    return read_twice(&v);
}

char LICENSE[] SEC("license") = "GPL";
