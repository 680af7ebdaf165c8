// A program and two maps sharing one BTF object: what 'btf show' and 'btf dump id|prog|map' are compared on.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct flow_stats { __u64 packets; __u64 bytes; __u32 last_len; };

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 16); __type(key, __u32); __type(value, struct flow_stats); } flows SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } total SEC(".maps");

SEC("xdp")
int count_flows(struct xdp_md *ctx)
{
	__u32 key = ctx->ingress_ifindex;
	__u32 zero = 0;
	struct flow_stats fresh = { 1, ctx->data_end - ctx->data, ctx->data_end - ctx->data };
	struct flow_stats *s = bpf_map_lookup_elem(&flows, &key);
	if (s) { s->packets++; s->bytes += fresh.bytes; }
	else bpf_map_update_elem(&flows, &key, &fresh, BPF_ANY);
	__u64 *t = bpf_map_lookup_elem(&total, &zero);
	if (t) (*t)++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
