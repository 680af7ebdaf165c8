/* Maps of maps: an array of array maps (slot 1 preset to PresetCounts) and a hash of hash maps, both looked up by
 * the slot SlotSelector[0] names; the inner maps count packets and bytes. User space fills the slots, so this twin is
 * driven by CompilerIntegration/MapOfMapsTests rather than the generic twin runner. */
#include "twins.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} PresetCounts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_ARRAY);
		__uint(max_entries, 4);
		__type(key, __u32);
		__type(value, __u64);
	});
} CountsBySlot SEC(".maps") = { .values = { [1] = (void *)&PresetCounts } };

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_HASH);
		__uint(max_entries, 16);
		__type(key, __u32);
		__type(value, __u64);
	});
} CountsByKey SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} SlotSelector SEC(".maps");

SEC("xdp")
int CountIntoInner(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u32 *which = bpf_map_lookup_elem(&SlotSelector, &zero);
	if (!which)
		return XDP_PASS;
	__u32 len = ctx->data_end - ctx->data;

	void *counts = bpf_map_lookup_elem(&CountsBySlot, which);
	if (counts) {
		__u32 packets = 0, bytes = 1;
		__u64 *n = bpf_map_lookup_elem(counts, &packets);
		if (n)
			*n += 1;
		__u64 *b = bpf_map_lookup_elem(counts, &bytes);
		if (b)
			*b += len;
	}

	void *by_length = bpf_map_lookup_elem(&CountsByKey, which);
	if (by_length) {
		__u64 *c = bpf_map_lookup_elem(by_length, &len);
		if (c) {
			*c += 1;
		} else {
			__u64 one = 1;
			bpf_map_update_elem(by_length, &len, &one, BPF_NOEXIST);
		}
	}
	return XDP_PASS;
}
