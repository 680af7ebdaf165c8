// A map-element iterator (iter/bpf_map_elem) over a u32 -> u64 map, kept apart from iter_probes.c because
// some kernels refuse to load it while they load the other iterators.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct bpf_iter_meta {
	void *seq;
	__u64 session_id;
	__u64 seq_num;
} __attribute__((preserve_access_index));

struct bpf_map;

struct bpf_iter__bpf_map_elem {
	struct bpf_iter_meta *meta;
	struct bpf_map *map;
	void *key;
	void *value;
} __attribute__((preserve_access_index));

/* One record per element of a u32 -> u64 map: {key, pad, value}. */
SEC("iter/bpf_map_elem")
int dump_elements(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *key = ctx->key;
	__u64 *value = ctx->value;
	__u64 record[2];

	if (!key || !value)
		return 0;
	record[0] = *key;
	record[1] = *value;
	bpf_seq_write(ctx->meta->seq, record, sizeof(record));
	return 0;
}

