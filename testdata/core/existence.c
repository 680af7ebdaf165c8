#include "common.h"
struct core_reloc_existence {
	int a;
	struct { int b; };
	int c;
	int arr[1];
	int b_arr[1];
	struct { int x; } s;
};
SEC("raw_tracepoint/sys_enter")
int test_existence(void *ctx)
{
	struct core_reloc_existence *in = ctx;
	SINK(bpf_core_field_exists(in->a));
	SINK(bpf_core_field_exists(in->b));
	SINK(bpf_core_field_exists(in->c));
	SINK(bpf_core_field_exists(in->arr));
	SINK(bpf_core_field_exists(in->s));
	if (bpf_core_field_exists(in->a)) SINK(BPF_CORE_READ(in, a));
	if (bpf_core_field_exists(in->b)) SINK(BPF_CORE_READ(in, b));
	if (bpf_core_field_exists(in->arr)) SINK(BPF_CORE_READ(in, arr[0]));
	if (bpf_core_field_exists(in->s)) SINK(BPF_CORE_READ(in, s.x));
	return 0;
}
