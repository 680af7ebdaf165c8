/* Packet and byte totals in an array map, updated atomically. */
#include "twins.h"

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} PacketTotals SEC(".maps");

SEC("xdp")
int ArrayStats(struct xdp_md *ctx)
{
    __u32 packets = 0, bytes = 1;
    __u64 *p = bpf_map_lookup_elem(&PacketTotals, &packets);
    if (p)
        __sync_fetch_and_add(p, 1);
    __u64 *b = bpf_map_lookup_elem(&PacketTotals, &bytes);
    if (b)
        __sync_fetch_and_add(b, ctx->data_end - ctx->data);
    return XDP_PASS;
}
