/* Per-CPU statistics struct: plain (non-atomic) updates, the usual pattern for per-CPU arrays. */
#include "twins.h"

struct traffic_stats {
    __u64 packets;
    __u64 bytes;
    __u64 largest;
};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct traffic_stats);
} CpuTraffic SEC(".maps");

SEC("xdp")
int PerCpuStats(struct xdp_md *ctx)
{
    __u32 zero = 0;
    struct traffic_stats *s = bpf_map_lookup_elem(&CpuTraffic, &zero);
    if (!s)
        return XDP_ABORTED;
    __u64 len = ctx->data_end - ctx->data;
    s->packets += 1;
    s->bytes += len;
    if (len > s->largest)
        s->largest = len;
    return XDP_PASS;
}
