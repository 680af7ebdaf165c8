#include "common.h"
struct core_reloc_ptr_as_arr { int a; };
SEC("raw_tracepoint/sys_enter")
int test_ptr_as_arr(void *ctx)
{
	struct core_reloc_ptr_as_arr *in = ctx;
	SINK(BPF_CORE_READ(in + 2, a));
	SINK(bpf_core_field_offset(in[1].a));
	return 0;
}
