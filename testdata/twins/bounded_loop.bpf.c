/* A bounded loop over a fixed buffer: FNV-1a over the first 32 bytes of the packet. */
#include "twins.h"

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u32);
} LastHash SEC(".maps");

SEC("xdp")
int BoundedLoop(struct xdp_md *ctx)
{
    __u8 buf[32] = {};
    if (bpf_xdp_load_bytes(ctx, 0, buf, sizeof(buf)) < 0)
        return XDP_PASS;
    __u32 hash = 2166136261u;
    for (int i = 0; i < 32; i++) {
        hash ^= buf[i];
        hash *= 16777619u;
    }
    __u32 zero = 0;
    bpf_map_update_elem(&LastHash, &zero, &hash, BPF_ANY);
    return (hash & 1) ? XDP_PASS : XDP_DROP;
}
