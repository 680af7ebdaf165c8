/* The C declarations the C# UntypedMap fields of CompilerIntegration/UntypedMapTests stand for: maps declared by
 * type number and byte sizes (__uint(key_size, ...), __uint(value_size, ...)) instead of key and value types. */
#include "twins.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, 4);
	__uint(value_size, 16);
} RawArray SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__uint(key_size, 8);
	__uint(value_size, 8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} RawHash SEC(".maps");

SEC("xdp")
int WriteRaw(struct xdp_md *ctx)
{
	__u32 index = 2;
	__u64 *slot = bpf_map_lookup_elem(&RawArray, &index);
	if (slot) {
		slot[0] = 0x1122;
		slot[1] = ctx->data_end - ctx->data;
	}
	__u64 key = 0xfeed, value = 7;
	bpf_map_update_elem(&RawHash, &key, &value, BPF_ANY);
	return XDP_PASS;
}
