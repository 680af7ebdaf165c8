/* Ring buffer producer: reserve, fill a struct from the packet, submit. */
#include "twins.h"

struct packet_event {
    __u32 length;
    __u16 eth_proto;
    __u8 ip_proto;
    __u8 ttl;
    __u64 head;
};

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 64 * 1024);
} PacketEvents SEC(".maps");

SEC("xdp")
int RingbufReserve(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end)
        return XDP_PASS;
    struct packet_event *e = bpf_ringbuf_reserve(&PacketEvents, sizeof(*e), 0);
    if (!e)
        return XDP_PASS;
    e->length = end - data;
    e->eth_proto = bpf_ntohs(eth->h_proto);
    e->ip_proto = ip->protocol;
    e->ttl = ip->ttl;
    e->head = *(__u64 *)data;
    bpf_ringbuf_submit(e, 0);
    return XDP_PASS;
}
