// fentry and fexit on a BPF program's global function (attach_prog_fd + a FUNC of its BTF) rather than on a
// kernel function: counts the calls of target.c's `decide` and records its return value, with the attach cookie.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";

__u64 entries = 0;
__u64 last_ret = 0;
__u64 last_cookie = 0;

SEC("fentry/decide")
int BPF_PROG(on_decide, struct xdp_md *md)
{
    __sync_fetch_and_add(&entries, 1);
    last_cookie = bpf_get_attach_cookie(ctx);
    return 0;
}

SEC("fexit/decide")
int BPF_PROG(after_decide, struct xdp_md *md, int ret)
{
    last_ret = ret;
    return 0;
}
