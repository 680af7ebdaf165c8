#include "common.h"
enum named_unsigned_enum64 { UNSIGNED_ENUM64_VAL1 = 0x1ffffffffULL, UNSIGNED_ENUM64_VAL2 = 0x2ffffffffULL, UNSIGNED_ENUM64_VAL3 = 0x3ffffffffULL };
enum named_signed_enum64 { SIGNED_ENUM64_VAL1 = 0x1ffffffffLL, SIGNED_ENUM64_VAL2 = -2, SIGNED_ENUM64_VAL3 = 0x3ffffffffLL };
enum named_unsigned_enum { UNSIGNED_ENUM_VAL1 = 0x1, UNSIGNED_ENUM_VAL2 = 0x2, UNSIGNED_ENUM_VAL3 = 0x3 };
SEC("raw_tracepoint/sys_enter")
int test_enum64val(void *ctx)
{
	SINK(bpf_core_enum_value_exists(enum named_unsigned_enum64, UNSIGNED_ENUM64_VAL1));
	SINK(bpf_core_enum_value_exists(enum named_unsigned_enum64, UNSIGNED_ENUM64_VAL2));
	SINK(bpf_core_enum_value_exists(enum named_unsigned_enum64, UNSIGNED_ENUM64_VAL3));
	SINK(bpf_core_enum_value_exists(enum named_signed_enum64, SIGNED_ENUM64_VAL1));
	SINK(bpf_core_enum_value_exists(enum named_signed_enum64, SIGNED_ENUM64_VAL2));
	SINK(bpf_core_enum_value_exists(enum named_signed_enum64, SIGNED_ENUM64_VAL3));
	SINK(bpf_core_enum_value(enum named_unsigned_enum64, UNSIGNED_ENUM64_VAL1));
	SINK(bpf_core_enum_value(enum named_unsigned_enum64, UNSIGNED_ENUM64_VAL2));
	SINK(bpf_core_enum_value(enum named_signed_enum64, SIGNED_ENUM64_VAL1));
	SINK(bpf_core_enum_value(enum named_signed_enum64, SIGNED_ENUM64_VAL2));
	if (bpf_core_enum_value_exists(enum named_signed_enum64, SIGNED_ENUM64_VAL3))
		SINK(bpf_core_enum_value(enum named_signed_enum64, SIGNED_ENUM64_VAL3));
	SINK(bpf_core_enum_value(enum named_unsigned_enum, UNSIGNED_ENUM_VAL2));
	return 0;
}
