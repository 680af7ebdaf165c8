// What an unprivileged container loads with a BPF token: BTF, a map, read-only global data and an XDP program
// (CAP_NET_ADMIN and CAP_BPF without a token), run with BPF_PROG_TEST_RUN. It answers XDP_TX for a packet
// whose first byte is the rodata marker and XDP_PASS otherwise, and counts the packets it saw per answer.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

volatile const __u8 token_marker = 0x42;

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} token_hits SEC(".maps");

SEC("xdp")
int token_xdp(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    __u32 verdict = XDP_PASS;
    if (data + 1 <= end && *(__u8 *)data == token_marker)
        verdict = XDP_TX;
    __u64 *hits = bpf_map_lookup_elem(&token_hits, &verdict);
    if (hits)
        __sync_fetch_and_add(hits, 1);
    return verdict;
}
