#include "common.h"
struct core_reloc_nesting_substruct { int a; };
union core_reloc_nesting_subunion { int b; };
struct core_reloc_nesting {
	union { struct core_reloc_nesting_substruct a; } a;
	struct { union core_reloc_nesting_subunion b; } b;
};
SEC("raw_tracepoint/sys_enter")
int test_nesting(void *ctx)
{
	struct core_reloc_nesting *in = ctx;
	SINK(BPF_CORE_READ(in, a.a.a));
	SINK(BPF_CORE_READ(in, b.b.b));
	return 0;
}
