#include "common.h"
struct a_struct { int x; };
union a_union { int y; int z; };
enum an_enum { AN_ENUM_VAL1 = 1 };
typedef struct a_struct named_struct_typedef;
typedef int (*func_proto_typedef)(long);
typedef char arr_typedef[20];
SEC("raw_tracepoint/sys_enter")
int test_type_id(void *ctx)
{
	SINK(bpf_core_type_id_local(struct a_struct));
	SINK(bpf_core_type_id_local(union a_union));
	SINK(bpf_core_type_id_local(enum an_enum));
	SINK(bpf_core_type_id_local(named_struct_typedef));
	SINK(bpf_core_type_id_local(func_proto_typedef));
	SINK(bpf_core_type_id_local(arr_typedef));
	SINK(bpf_core_type_id_local(int));
	SINK(bpf_core_type_id_local(struct { int marker_field; }));
	SINK(bpf_core_type_id_kernel(struct a_struct));
	SINK(bpf_core_type_id_kernel(union a_union));
	SINK(bpf_core_type_id_kernel(enum an_enum));
	SINK(bpf_core_type_id_kernel(named_struct_typedef));
	SINK(bpf_core_type_id_kernel(func_proto_typedef));
	SINK(bpf_core_type_id_kernel(arr_typedef));
	return 0;
}
