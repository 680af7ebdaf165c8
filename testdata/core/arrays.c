#include "common.h"
struct core_reloc_arrays_substruct { int c; int d; };
struct core_reloc_arrays {
	int a[5];
	char b[2][3][4];
	struct core_reloc_arrays_substruct c[3];
	struct core_reloc_arrays_substruct d[1][2];
	struct core_reloc_arrays_substruct f[];
};
struct core_reloc_arrays_direct {
	int a[5];
} __attribute__((preserve_access_index));
SEC("raw_tracepoint/sys_enter")
int test_arrays(void *ctx)
{
	struct core_reloc_arrays *in = ctx;
	SINK(BPF_CORE_READ(in, a[2]));
	SINK(BPF_CORE_READ(in, b[1][2][3]));
	SINK(BPF_CORE_READ(in, c[1].c));
	SINK(BPF_CORE_READ(in, d[0][0].d));
	SINK(BPF_CORE_READ(in, f[0].c));
	SINK(bpf_core_field_exists(in->a[4]));
	return 0;
}
SEC("raw_tracepoint/sys_enter")
int test_arrays_direct(void *ctx)
{
	struct core_reloc_arrays_direct *in = ctx;
	unsigned long idx = *(volatile unsigned long *)ctx & 3;
	return in->a[3] + in->a[idx];
}
