/* Twin of the C# arena program in tests/BpfSharp.Tests/Loading/ArenaTests.CSharp.cs: a page from the arena holds a
 * list whose head, a user-form arena pointer, is an ordinary global; a second program frees the page. */
#include "twins.h"

#define __arena __attribute__((address_space(1)))

void __arena *bpf_arena_alloc_pages(void *map, void __arena *addr, __u32 page_cnt, int node_id, __u64 flags) __ksym __weak;
void bpf_arena_free_pages(void *map, void __arena *ptr, __u32 page_cnt) __ksym __weak;

struct {
	__uint(type, 33 /* BPF_MAP_TYPE_ARENA: newer than the installed uapi headers */);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 8);
} arena SEC(".maps");

struct node {
	struct node __arena *next;
	__u64 value;
};

struct node __arena *list_head;
__u32 node_count = 5;
__u64 alloc_failed;
__u64 counter;

SEC("syscall")
int build_list(void *ctx)
{
	struct node __arena *page = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);

	if (!page) {
		alloc_failed = 1;
		return 1;
	}
	for (__u32 i = 0; i < node_count && i < 32; i++) {
		struct node __arena *n = &page[i];

		n->value = (__u64)(i + 1) * (i + 1);
		n->next = list_head;
		list_head = n;
		counter += n->value;
	}
	return 0;
}

SEC("syscall")
int free_list(void *ctx)
{
	if (list_head)
		bpf_arena_free_pages(&arena, list_head, 1);
	return 0;
}
