/* Perf event array output of a small struct on the current CPU. */
#include "twins.h"

struct perf_sample {
    __u32 length;
    __u16 eth_proto;
    __u16 flags;
};

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
} PerfSamples SEC(".maps");

SEC("xdp")
int PerfOutput(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end)
        return XDP_PASS;
    struct perf_sample s = {};
    s.length = end - data;
    s.eth_proto = bpf_ntohs(eth->h_proto);
    s.flags = s.length > 100 ? 1 : 0;
    bpf_perf_event_output(ctx, &PerfSamples, BPF_F_CURRENT_CPU, &s, sizeof(s));
    return XDP_PASS;
}
