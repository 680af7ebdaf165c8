#include "common.h"
struct core_reloc_misc_output { int a, b, c; };
struct core_reloc_misc___a { int a1; int a2; };
struct core_reloc_misc___b { int b1; int b2; };
struct core_reloc_misc_extensible { int a; int b; };
SEC("raw_tracepoint/sys_enter")
int test_misc(void *ctx)
{
	struct core_reloc_misc___a *in_a = ctx;
	struct core_reloc_misc___b *in_b = ctx;
	struct core_reloc_misc_extensible *in_ext = ctx;
	/* identical access strings "0:0" on two different root types */
	SINK(BPF_CORE_READ(in_a, a1));
	SINK(BPF_CORE_READ(in_b, b1));
	/* root-only accessor: &in_ext[2] */
	SINK(__builtin_preserve_access_index(&in_ext[2]));
	SINK(__builtin_preserve_access_index(&in_ext[0].b));
	SINK(__builtin_preserve_access_index(&in_ext[1].b));
	return 0;
}
