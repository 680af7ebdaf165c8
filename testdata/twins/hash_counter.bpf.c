/* Per-key counter in a hash map: lookup, null check, atomic add, else insert. Key: the packet length. */
#include "twins.h"

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, __u32);
    __type(value, __u64);
} CountsByLength SEC(".maps");

SEC("xdp")
int HashCounter(struct xdp_md *ctx)
{
    __u32 len = ctx->data_end - ctx->data;
    __u64 *count = bpf_map_lookup_elem(&CountsByLength, &len);
    if (count) {
        __sync_fetch_and_add(count, 1);
    } else {
        __u64 one = 1;
        bpf_map_update_elem(&CountsByLength, &len, &one, BPF_NOEXIST);
    }
    return XDP_PASS;
}
