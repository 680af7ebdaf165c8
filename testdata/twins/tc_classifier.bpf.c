/* tc classifier on __sk_buff fields: marks by DSCP, sets the priority from the IP protocol, drops large packets. */
#include "twins.h"

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 64);
    __type(key, __u32);
    __type(value, __u64);
} DscpCounts SEC(".maps");

SEC("tc")
int TcClassifier(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data;
    void *end = (void *)(long)skb->data_end;
    if (skb->protocol != bpf_htons(ETH_P_IP))
        return TC_ACT_OK;
    struct iphdr *ip = data + sizeof(struct ethhdr);
    if ((void *)(ip + 1) > end)
        return TC_ACT_SHOT;
    __u32 dscp = ip->tos >> 2;
    skb->mark = 0x1000 | dscp;
    skb->priority = ip->protocol;
    __u64 *count = bpf_map_lookup_elem(&DscpCounts, &dscp);
    if (count)
        __sync_fetch_and_add(count, 1);
    return skb->len > 1000 ? TC_ACT_SHOT : TC_ACT_OK;
}
