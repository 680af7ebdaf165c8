#include "common.h"
struct core_reloc_ints {
	unsigned char u8_field; signed char s8_field;
	unsigned short u16_field; short s16_field;
	unsigned int u32_field; int s32_field;
	unsigned long long u64_field; long long s64_field;
} __attribute__((preserve_access_index));
SEC("raw_tracepoint/sys_enter")
int test_ints(void *ctx)
{
	struct core_reloc_ints *in = ctx;
	SINK(BPF_CORE_READ(in, u8_field));
	SINK(BPF_CORE_READ(in, s8_field));
	SINK(BPF_CORE_READ(in, u16_field));
	SINK(BPF_CORE_READ(in, s16_field));
	SINK(BPF_CORE_READ(in, u32_field));
	SINK(BPF_CORE_READ(in, s32_field));
	SINK(BPF_CORE_READ(in, u64_field));
	SINK(BPF_CORE_READ(in, s64_field));
	return 0;
}
SEC("tp_btf/sys_enter")
int test_ints_direct(void *ctx)
{
	struct core_reloc_ints *in = ctx;
	return in->u8_field + in->u16_field + in->u32_field + in->u64_field + in->s32_field;
}
