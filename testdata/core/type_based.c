#include "common.h"
struct a_struct { int x; };
struct a_complex_struct { union { struct a_struct *a; void *b; } x; volatile long y; };
union a_union { int y; int z; };
typedef struct a_struct named_struct_typedef;
typedef struct { int x, y, z; } anon_struct_typedef;
typedef struct { int a, b, c; } *struct_ptr_typedef;
enum an_enum { AN_ENUM_VAL1 = 1, AN_ENUM_VAL2 = 2, AN_ENUM_VAL3 = 3 };
typedef int int_typedef;
typedef enum { TYPEDEF_ENUM_VAL1, TYPEDEF_ENUM_VAL2 } enum_typedef;
typedef void *void_ptr_typedef;
typedef int *restrict restrict_ptr_typedef;
typedef int (*func_proto_typedef)(long);
typedef char arr_typedef[20];
typedef float float_typedef;
SEC("raw_tracepoint/sys_enter")
int test_type_based(void *ctx)
{
	SINK(bpf_core_type_exists(struct a_struct));
	SINK(bpf_core_type_exists(struct a_complex_struct));
	SINK(bpf_core_type_exists(union a_union));
	SINK(bpf_core_type_exists(named_struct_typedef));
	SINK(bpf_core_type_exists(anon_struct_typedef));
	SINK(bpf_core_type_exists(struct_ptr_typedef));
	SINK(bpf_core_type_exists(enum an_enum));
	SINK(bpf_core_type_exists(int_typedef));
	SINK(bpf_core_type_exists(enum_typedef));
	SINK(bpf_core_type_exists(void_ptr_typedef));
	SINK(bpf_core_type_exists(restrict_ptr_typedef));
	SINK(bpf_core_type_exists(func_proto_typedef));
	SINK(bpf_core_type_exists(arr_typedef));
	SINK(bpf_core_type_matches(struct a_struct));
	SINK(bpf_core_type_matches(struct a_complex_struct));
	SINK(bpf_core_type_matches(union a_union));
	SINK(bpf_core_type_matches(named_struct_typedef));
	SINK(bpf_core_type_matches(anon_struct_typedef));
	SINK(bpf_core_type_matches(struct_ptr_typedef));
	SINK(bpf_core_type_matches(enum an_enum));
	SINK(bpf_core_type_matches(int_typedef));
	SINK(bpf_core_type_matches(enum_typedef));
	SINK(bpf_core_type_matches(void_ptr_typedef));
	SINK(bpf_core_type_matches(restrict_ptr_typedef));
	SINK(bpf_core_type_matches(func_proto_typedef));
	SINK(bpf_core_type_matches(arr_typedef));
	SINK(bpf_core_type_size(struct a_struct));
	SINK(bpf_core_type_size(union a_union));
	SINK(bpf_core_type_size(struct_ptr_typedef));
	SINK(bpf_core_type_size(enum an_enum));
	SINK(bpf_core_type_size(int_typedef));
	SINK(bpf_core_type_size(func_proto_typedef));
	SINK(bpf_core_type_size(arr_typedef));
	return 0;
}
