// A hash of maps whose inner template is sized at run time (SetInnerMapMaxEntries), as libbpf's
// bpf_map__set_max_entries(bpf_map__inner_map(outer), n) does.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct inner { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u32); };
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps");

SEC("socket")
int read_inner(void *ctx)
{
	__u32 k = 0;
	void *in = bpf_map_lookup_elem(&outer, &k);
	if (!in)
		return 0;
	__u32 *v = bpf_map_lookup_elem(in, &k);
	return v ? *v : 0;
}
