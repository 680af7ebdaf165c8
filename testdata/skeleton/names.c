// C names that are C# keywords or clash with what a skeleton class needs: the skeleton must still compile.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct map_set { __u32 x; };   /* a type named like the skeleton's nested MapSet class */
struct programs { __u32 y; };  /* ... and like its Programs property */

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, struct map_set); } event SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct programs); } MapSet SEC(".maps");

__u32 count;
__u32 _count;
__u32 Equals;
__u32 _object;
int string;

SEC("socket")
int lock(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct map_set *v = bpf_map_lookup_elem(&event, &k);
	struct programs *p = bpf_map_lookup_elem(&MapSet, &k);
	return count + _count + Equals + _object + string + (v ? v->x : 0) + (p ? p->y : 0);
}
