#include "common.h"
typedef float float_t;
struct core_reloc_size {
	int int_field;
	struct { int x; } struct_field;
	union { int x; } union_field;
	int arr_field[4];
	void *ptr_field;
	enum { VALUE = 123 } enum_field;
	float_t float_field;
};
SEC("raw_tracepoint/sys_enter")
int test_size(void *ctx)
{
	struct core_reloc_size *in = ctx;
	SINK(bpf_core_field_size(in->int_field));
	SINK(bpf_core_field_size(in->struct_field));
	SINK(bpf_core_field_size(in->union_field));
	SINK(bpf_core_field_size(in->arr_field));
	SINK(bpf_core_field_size(in->arr_field[0]));
	SINK(bpf_core_field_size(in->ptr_field));
	SINK(bpf_core_field_size(in->enum_field));
	SINK(bpf_core_field_size(in->float_field));
	SINK(bpf_core_field_offset(in->int_field));
	SINK(bpf_core_field_offset(in->struct_field));
	SINK(bpf_core_field_offset(in->arr_field[2]));
	SINK(bpf_core_field_offset(in->float_field));
	return 0;
}
