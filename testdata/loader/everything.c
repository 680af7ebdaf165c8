// Maps of every kind, globals in every data section, subprogram calls, kconfig externs.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct pair { __u32 a; __u32 b; };

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } array SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 64); __type(key, __u32); __type(value, struct pair); } hash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u64); } percpu_array SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_HASH); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } percpu_hash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } lru SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } lru_percpu SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } ringbuf SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(key_size, sizeof(int)); __uint(value_size, sizeof(int)); } perf SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_STACK); __uint(max_entries, 8); __type(value, __u32); } stack SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_QUEUE); __uint(max_entries, 8); __type(value, __u32); } queue SEC(".maps");
struct lpm_key { __u32 prefixlen; __u32 addr; };
struct { __uint(type, BPF_MAP_TYPE_LPM_TRIE); __uint(max_entries, 16); __type(key, struct lpm_key); __type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC); } lpm SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_BLOOM_FILTER); __uint(max_entries, 16); __type(value, __u32); __uint(map_extra, 3); } bloom SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE); __uint(numa_node, 0); } numa SEC(".maps");

struct inner { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u32); } inner_a SEC(".maps"), inner_b SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS); __uint(max_entries, 2); __type(key, __u32); __array(values, struct inner); }
	outer_array SEC(".maps") = { .values = { [0] = &inner_a, [1] = &inner_b } };
struct { __uint(type, BPF_MAP_TYPE_HASH_OF_MAPS); __uint(max_entries, 2); __type(key, __u32); __array(values, struct inner); }
	outer_hash SEC(".maps");

int tail_target(struct __sk_buff *skb);
struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 2); __type(key, __u32); __array(values, int (void *)); }
	jump SEC(".maps") = { .values = { [1] = (void *)&tail_target } };

/* Globals in every section. */
const volatile __u32 rodata_scale = 1;          /* set before load */
const volatile __u64 rodata_magic = 0x1122334455667788ULL;
const char rodata_text[] = "loader";
__u32 data_counter = 7;
__u64 data_last = 0;
__u32 bss_result;
__u64 bss_sum;
__u32 bss_tail_hits;
__u32 custom_data __attribute__((section(".data.custom"))) = 42;
const volatile __u32 custom_rodata __attribute__((section(".rodata.custom"))) = 43;

/* Kconfig externs. */
extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern _Bool CONFIG_BPF_SYSCALL __kconfig;
extern int CONFIG_HZ __kconfig;
extern _Bool CONFIG_BPFSHARP_DOES_NOT_EXIST __kconfig __weak;
__u32 kconfig_version;
__u32 kconfig_bpf_syscall;
__u32 kconfig_hz;
__u32 kconfig_missing;

static __noinline __u32 add_static(__u32 a, __u32 b) { return a + b; }
static __noinline __u32 twice_static(__u32 a) { return add_static(a, a); }
__noinline __u32 global_mul(__u32 a, __u32 b) { return a * b; }

static long sum_cb(__u32 index, void *ctx) { *(__u64 *)ctx += index; return 0; }

SEC("socket")
int socket_prog(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&array, &k);
	__u32 r = twice_static(rodata_scale) + global_mul(skb->len, rodata_scale);
	if (v) *v = r;
	bss_result = r;
	data_counter++;
	data_last = rodata_magic;
	__u64 sum = 0;
	bpf_loop(5, sum_cb, &sum, 0);
	bss_sum = sum;
	struct pair p = { .a = custom_data, .b = custom_rodata };
	bpf_map_update_elem(&hash, &k, &p, BPF_ANY);
	__u32 val = rodata_text[0];
	bpf_map_push_elem(&queue, &val, 0);
	bpf_map_push_elem(&stack, &val, 0);
	bpf_map_push_elem(&bloom, &val, 0);
	__u32 *in = bpf_map_lookup_elem(&outer_array, &k);
	if (in) {
		__u32 *iv = bpf_map_lookup_elem(in, &k);
		if (iv) *iv = 99;
	}
	kconfig_version = LINUX_KERNEL_VERSION;
	kconfig_bpf_syscall = CONFIG_BPF_SYSCALL;
	kconfig_hz = CONFIG_HZ;
	kconfig_missing = CONFIG_BPFSHARP_DOES_NOT_EXIST ? 1 : 2;
	return 0;
}

SEC("xdp")
int xdp_prog(struct xdp_md *ctx)
{
	__u32 k = 1;
	__u64 *v = bpf_map_lookup_elem(&array, &k);
	if (v) *v = add_static(ctx->data_end - ctx->data, 1000);
	return XDP_PASS;
}

SEC("tc")
int tc_prog(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jump, 1);
	return 1;
}

SEC("tc")
int tail_target(struct __sk_buff *skb)
{
	bss_tail_hits++;
	return 7;
}

SEC("raw_tp/sys_enter")
int raw_tp_prog(void *ctx)
{
	__u32 k = 2;
	__u64 v = global_mul(6, 7);
	bpf_map_update_elem(&array, &k, &v, BPF_ANY);
	return 0;
}
