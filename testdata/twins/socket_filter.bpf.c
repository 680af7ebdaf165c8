/* Socket filter: keeps the first 64 bytes of IPv4 UDP packets, drops everything else, counts what it keeps. */
#include "twins.h"

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} KeptPackets SEC(".maps");

SEC("socket")
int SocketFilter(struct __sk_buff *skb)
{
    if (skb->protocol != bpf_htons(ETH_P_IP))
        return 0;
    __u8 protocol;
    /* A socket filter's data starts at the network header. */
    if (bpf_skb_load_bytes(skb, 9, &protocol, 1) < 0)
        return 0;
    if (protocol != IPPROTO_UDP)
        return 0;
    __u32 zero = 0;
    __u64 *kept = bpf_map_lookup_elem(&KeptPackets, &zero);
    if (kept)
        __sync_fetch_and_add(kept, 1);
    return skb->len < 64 ? skb->len : 64;
}
