/* eth -> ipv4 -> udp/tcp parser with bounds checks; counts (protocol, port) and drops one port (a .rodata rule). */
#include "twins.h"

struct flow_key {
    __u8 protocol;
    __u8 pad;
    __u16 port;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 256);
    __type(key, struct flow_key);
    __type(value, __u64);
} FlowCounts SEC(".maps");

const volatile __u16 BlockedPort = 53;

SEC("xdp")
int XdpParser(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end)
        return XDP_DROP;
    if (eth->h_proto != bpf_htons(ETH_P_IP))
        return XDP_PASS;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end)
        return XDP_DROP;
    void *l4 = (void *)ip + (ip->ihl & 0xf) * 4;
    struct flow_key key = { .protocol = ip->protocol };
    if (ip->protocol == IPPROTO_UDP) {
        struct udphdr *udp = l4;
        if ((void *)(udp + 1) > end)
            return XDP_DROP;
        key.port = bpf_ntohs(udp->dest);
    } else if (ip->protocol == IPPROTO_TCP) {
        struct tcphdr *tcp = l4;
        if ((void *)(tcp + 1) > end)
            return XDP_DROP;
        key.port = bpf_ntohs(tcp->dest);
    }
    __u64 *count = bpf_map_lookup_elem(&FlowCounts, &key);
    if (count) {
        __sync_fetch_and_add(count, 1);
    } else {
        __u64 one = 1;
        bpf_map_update_elem(&FlowCounts, &key, &one, BPF_NOEXIST);
    }
    if (key.port == BlockedPort)
        return XDP_DROP;
    return XDP_PASS;
}
