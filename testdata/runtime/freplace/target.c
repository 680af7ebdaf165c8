// The program freplace replaces a function of: an XDP program whose verdict comes from the global function
// `decide`, which an extension program can replace (global functions are verified on their own, so an
// extension with the same prototype can take their place).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

__attribute__((noinline)) int decide(struct xdp_md *ctx)
{
    return ctx != 0 ? XDP_PASS : XDP_ABORTED;
}

SEC("xdp")
int verdict(struct xdp_md *ctx)
{
    return decide(ctx);
}
