/* The two libbpf bugs BpfSharp fixes by default (strict mode reproduces them). */
#include "common.h"
enum unsigned_big { UBIG = 0xAAAAAAAA, USMALL = 1 };
typedef float myfloat;
SEC("raw_tracepoint/sys_enter")
int test_quirks(void *ctx)
{
	SINK(bpf_core_type_exists(myfloat));
	SINK(bpf_core_type_matches(myfloat));
	SINK(bpf_core_enum_value(enum unsigned_big, USMALL));
	SINK(bpf_core_enum_value(enum unsigned_big, UBIG));
	return 0;
}
