// An extension (freplace) program for target.c's global function `decide`: drops every packet. It loads only
// with a target program (attach_prog_fd), so it loads with neither bpftool nor our loader on its own.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

__u64 calls = 0;

SEC("freplace/decide")
int drop_all(struct xdp_md *ctx)
{
    __sync_fetch_and_add(&calls, 1);
    return XDP_DROP;
}
