/* Direct loads/stores of pointers and integers whose size shrinks in a 32-bit target (libbpf's core_autosize). */
#include "common.h"
struct core_reloc_autosize {
	void *ptr_field;
	unsigned long ulong_field;
	unsigned int uint_field;
	long long_field;
	int int_field;
	unsigned short ushort_field;
} __attribute__((preserve_access_index));
SEC("tp_btf/sys_enter")
int handle_unsigned(void *ctx)
{
	struct core_reloc_autosize *in = ctx;
	SINK(in->ptr_field);
	SINK(in->ulong_field);
	SINK(in->uint_field);
	SINK(in->ushort_field);
	in->ulong_field = 7;
	*(volatile unsigned long *)&in->ulong_field = (unsigned long)ctx;
	return 0;
}
SEC("tp_btf/sys_enter")
int handle_signed(void *ctx)
{
	struct core_reloc_autosize *in = ctx;
	SINK(in->long_field);
	SINK(in->int_field);
	return 0;
}
