// Programs and maps for the inspection verbs (prog/map/link show, dump, lookup, run, tracelog), compared with bpftool.
// TAG is defined on the command line so that names are unique per test process: the kernel is shared.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CAT(a, b) a##b
#define NAME(a, b) CAT(a, b)

enum colour { RED = 1, GREEN = 2, BLUE = -3 };

struct flow_key {
	__u32 addr;
	__u16 port;
	char tag[6];
};

struct inner { __u8 bytes[3]; _Bool ok; };

struct flow_value {
	int count;
	char name[8];
	unsigned long long total;
	unsigned int small : 3, wide : 13;
	enum colour colour;
	void *pointer;
	__u16 history[3];
	struct inner inner;
	union { __u32 as_int; float as_float; } either;
	__int128 big;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, struct flow_key);
	__type(value, struct flow_value);
} NAME(h1_flows_, TAG) SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} NAME(h1_percpu_, TAG) SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, int);
} NAME(h1_array_, TAG) SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 8);
	__type(value, __u32);
} NAME(h1_queue_, TAG) SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} NAME(h1_ring_, TAG) SEC(".maps");

volatile const char bpf_metadata_owner[] = "h1";
volatile const int bpf_metadata_level = 3;
volatile const int limit = 7;

SEC("xdp")
int NAME(h1x, TAG)(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct flow_key key = { .addr = 1, .port = 2 };
	struct flow_value *value = bpf_map_lookup_elem(&NAME(h1_flows_, TAG), &key);
	if (value)
		value->count++;
	__u64 *hits = bpf_map_lookup_elem(&NAME(h1_percpu_, TAG), &zero);
	if (hits)
		*hits += limit;
	int *slot = bpf_map_lookup_elem(&NAME(h1_array_, TAG), &zero);
	if (slot)
		__sync_fetch_and_add(slot, 1);
	bpf_map_push_elem(&NAME(h1_queue_, TAG), &zero, 0);
	bpf_ringbuf_output(&NAME(h1_ring_, TAG), &zero, sizeof(zero), 0);
	return XDP_PASS;
}

SEC("tc")
int NAME(h1_long_program_name_, TAG)(struct __sk_buff *skb)
{
	if (skb->len > 10)
		bpf_printk("h1 tracelog %d", skb->len);
	return 0;
}

SEC("raw_tp/sys_enter")
int NAME(h1r, TAG)(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
