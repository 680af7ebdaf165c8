// BTF-defined maps of many kinds, map-in-map, pinning, prog_array with initial values.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct key_t { __u32 pid; __u32 cpu; };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct key_t);
	__type(value, __u64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 16);
} sized_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct key_t);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 128);
	__type(key, __u64);
	__type(value, __u64);
	__uint(numa_node, 0);
} lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 64);
	__type(value, __u32);
	__uint(map_extra, 3);
} bloom SEC(".maps");

struct inner_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} inner1 SEC(".maps"), inner2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 3);
	__type(key, __u32);
	__array(values, struct inner_map);
} outer SEC(".maps") = {
	.values = { &inner1, [2] = &inner2 },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_HASH);
		__uint(max_entries, 1);
		__type(key, int);
		__type(value, int);
	});
} outer_hash SEC(".maps");

int tail_target(void *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} jump_table SEC(".maps") = {
	.values = { [1] = (void *)&tail_target },
};

SEC("tracepoint/syscalls/sys_enter_getpid")
int tail_target(void *ctx)
{
	return 1;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int use_maps(void *ctx)
{
	struct key_t k = { .pid = bpf_get_current_pid_tgid() >> 32, .cpu = bpf_get_smp_processor_id() };
	__u64 one = 1, *v;
	__u32 zero = 0, *iv;
	v = bpf_map_lookup_elem(&counts, &k);
	if (v) __sync_fetch_and_add(v, 1); else bpf_map_update_elem(&counts, &k, &one, BPF_ANY);
	struct key_t *s = bpf_map_lookup_elem(&scratch, &zero);
	if (s) s->cpu = 1;
	void *inner = bpf_map_lookup_elem(&outer, &zero);
	if (inner) { iv = bpf_map_lookup_elem(inner, &zero); if (iv) *iv += 1; }
	bpf_map_lookup_elem(&sized_array, &zero);
	bpf_map_lookup_elem(&lru, &one);
	bpf_map_push_elem(&bloom, &zero, 0);
	bpf_map_lookup_elem(&outer_hash, &zero);
	bpf_ringbuf_output(&events, &k, sizeof(k), 0);
	bpf_tail_call(ctx, &jump_table, 1);
	return 0;
}
