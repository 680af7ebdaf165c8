// A TCP congestion control in BPF (struct_ops): the programs fill the function members of a
// `struct tcp_congestion_ops` declared in `.struct_ops` (updating the map registers it) or, compiled with
// -DSTRUCT_OPS_SECTION='".struct_ops.link"', in `.struct_ops.link` (a BPF link on the map registers it, closing
// the link unregisters; libbpf 1.1 does not know that section). Counts the calls of cong_avoid, which the kernel
// makes on ACKs while the connection is limited by its congestion window.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";

#ifndef STRUCT_OPS_SECTION
#define STRUCT_OPS_SECTION ".struct_ops"
#endif

struct sock;

// Only the members this object sets; the loader matches them by name with the kernel's type.
struct tcp_congestion_ops {
    __u32 (*ssthresh)(struct sock *sk);
    void (*cong_avoid)(struct sock *sk, __u32 ack, __u32 acked);
    __u32 (*undo_cwnd)(struct sock *sk);
    __u32 flags;
    char name[16];
} __attribute__((preserve_access_index));

__u64 cong_avoid_calls = 0;

SEC("struct_ops/bpfsharp_ssthresh")
__u32 BPF_PROG(bpfsharp_ssthresh, struct sock *sk)
{
    return 2;
}

SEC("struct_ops/bpfsharp_cong_avoid")
void BPF_PROG(bpfsharp_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
    __sync_fetch_and_add(&cong_avoid_calls, 1);
}

SEC("struct_ops/bpfsharp_undo_cwnd")
__u32 BPF_PROG(bpfsharp_undo_cwnd, struct sock *sk)
{
    return 10;
}

SEC(STRUCT_OPS_SECTION)
struct tcp_congestion_ops bpfsharp_cc = {
    .ssthresh = (void *)bpfsharp_ssthresh,
    .cong_avoid = (void *)bpfsharp_cong_avoid,
    .undo_cwnd = (void *)bpfsharp_undo_cwnd,
    .flags = 0,
    .name = "bpfsharp_cc",
};
