/* A switch on the IP protocol number choosing a counter slot and a verdict. */
#include "twins.h"

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 6);
    __type(key, __u32);
    __type(value, __u64);
} ProtocolSlots SEC(".maps");

SEC("xdp")
int SwitchProtocol(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct iphdr *ip = data + sizeof(struct ethhdr);
    if ((void *)(ip + 1) > end)
        return XDP_PASS;
    __u32 slot;
    int verdict = XDP_PASS;
    switch (ip->protocol) {
    case IPPROTO_ICMP:
        slot = 0;
        verdict = XDP_DROP;
        break;
    case IPPROTO_TCP:
        slot = 1;
        break;
    case IPPROTO_UDP:
        slot = 2;
        break;
    case IPPROTO_GRE:
        slot = 3;
        verdict = XDP_DROP;
        break;
    case IPPROTO_SCTP:
        slot = 4;
        break;
    default:
        slot = 5;
        break;
    }
    __u64 *count = bpf_map_lookup_elem(&ProtocolSlots, &slot);
    if (count)
        __sync_fetch_and_add(count, 1);
    return verdict;
}
