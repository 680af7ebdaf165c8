#include "common.h"
/* The same (type, access string, kind) relocated many times across programs, while relocations of other fields
 * prune the type's candidate list in between: a reused result must follow the pruning exactly like libbpf. */
struct core_reloc_memo { unsigned int a; int b; int c; } __attribute__((preserve_access_index));
#define BARRIER() asm volatile("" ::: "memory")
#define MEMO_PROG(n)                                                                  \
	SEC("tp_btf/sys_enter")                                                           \
	int memo_##n(void *ctx)                                                           \
	{                                                                                 \
		struct core_reloc_memo *in = ctx;                                             \
		unsigned long r = in->a;                                                      \
		BARRIER();                                                                    \
		r += bpf_core_field_exists(in->b);                                            \
		r += bpf_core_field_exists(in->c);                                            \
		BARRIER();                                                                    \
		r += in->a;                                                                   \
		r += bpf_core_type_size(struct core_reloc_memo);                              \
		r += bpf_core_field_size(in->a);                                              \
		r += bpf_core_type_id_local(struct core_reloc_memo);                          \
		return r;                                                                     \
	}
MEMO_PROG(1)
MEMO_PROG(2)
MEMO_PROG(3)
