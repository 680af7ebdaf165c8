#include "common.h"
enum named_enum { NAMED_ENUM_VAL1 = 1, NAMED_ENUM_VAL2 = 2, NAMED_ENUM_VAL3 = 3 };
typedef enum { ANON_ENUM_VAL1 = 0x10, ANON_ENUM_VAL2 = 0x20, ANON_ENUM_VAL3 = 0x30 } anon_enum;
enum signed_enum { SIGNED_NEG = -5, SIGNED_POS = 7 };
SEC("raw_tracepoint/sys_enter")
int test_enumval(void *ctx)
{
	SINK(bpf_core_enum_value_exists(enum named_enum, NAMED_ENUM_VAL1));
	SINK(bpf_core_enum_value_exists(enum named_enum, NAMED_ENUM_VAL2));
	SINK(bpf_core_enum_value_exists(enum named_enum, NAMED_ENUM_VAL3));
	SINK(bpf_core_enum_value_exists(anon_enum, ANON_ENUM_VAL1));
	SINK(bpf_core_enum_value_exists(anon_enum, ANON_ENUM_VAL2));
	SINK(bpf_core_enum_value_exists(anon_enum, ANON_ENUM_VAL3));
	SINK(bpf_core_enum_value(enum named_enum, NAMED_ENUM_VAL1));
	SINK(bpf_core_enum_value(enum named_enum, NAMED_ENUM_VAL2));
	if (bpf_core_enum_value_exists(enum named_enum, NAMED_ENUM_VAL3))
		SINK(bpf_core_enum_value(enum named_enum, NAMED_ENUM_VAL3));
	SINK(bpf_core_enum_value(anon_enum, ANON_ENUM_VAL1));
	SINK(bpf_core_enum_value(anon_enum, ANON_ENUM_VAL2));
	SINK(bpf_core_enum_value(enum signed_enum, SIGNED_NEG));
	SINK(bpf_core_enum_value(enum signed_enum, SIGNED_POS));
	return 0;
}
