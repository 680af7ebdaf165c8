// Arena test: globals in .addr_space.1 and pages from bpf_arena_alloc_pages.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* The installed uapi and libbpf headers predate arenas. */
#define MAP_TYPE_ARENA 33
#ifndef __ulong
#define __ulong(name, val) enum { name##_value = val } name
#endif

#define __arena __attribute__((address_space(1)))
#define NUMA_NO_NODE (-1)

void __arena *bpf_arena_alloc_pages(void *map, void __arena *addr, __u32 page_cnt, int node_id, __u64 flags) __ksym __weak;
void bpf_arena_free_pages(void *map, void __arena *ptr, __u32 page_cnt) __ksym __weak;

struct {
	__uint(type, MAP_TYPE_ARENA);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 8);
	__ulong(map_extra, 0x1ull << 44);
} arena SEC(".maps");

struct node {
	struct node __arena *next;
	__u64 value;
};

struct node __arena *list_head;
__u64 __arena arena_counter;
__u32 __arena arena_seed = 7;
__u64 __arena arena_table[4] = { 11, 22, 33, 44 };

__u32 node_count = 5;
__u64 seed_seen;
__u64 alloc_failed;

SEC("syscall")
int build_list(void *ctx)
{
	struct node __arena *page = bpf_arena_alloc_pages(&arena, NULL, 1, NUMA_NO_NODE, 0);
	if (!page) {
		alloc_failed = 1;
		return 1;
	}
	seed_seen = arena_seed;
	for (__u32 i = 0; i < node_count && i < 32; i++) {
		struct node __arena *n = &page[i];
		n->value = (__u64)(i + 1) * (i + 1) + arena_seed;
		n->next = list_head;
		list_head = n;
		arena_counter += n->value;
	}
	arena_table[2] += arena_counter;
	return 0;
}
