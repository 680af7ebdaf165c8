#include "common.h"
struct core_reloc_bitfields {
	unsigned char ub1: 1;
	unsigned char ub2: 2;
	unsigned int ub7: 7;
	signed short sb4: 4;
	signed int sb20: 20;
	unsigned int u32;
	int s32;
} __attribute__((preserve_access_index));
SEC("raw_tracepoint/sys_enter")
int test_bitfields_probed(void *ctx)
{
	struct core_reloc_bitfields *in = ctx;
	SINK(BPF_CORE_READ_BITFIELD_PROBED(in, ub1));
	SINK(BPF_CORE_READ_BITFIELD_PROBED(in, ub2));
	SINK(BPF_CORE_READ_BITFIELD_PROBED(in, ub7));
	SINK(BPF_CORE_READ_BITFIELD_PROBED(in, sb4));
	SINK(BPF_CORE_READ_BITFIELD_PROBED(in, sb20));
	SINK(BPF_CORE_READ_BITFIELD_PROBED(in, u32));
	SINK(BPF_CORE_READ_BITFIELD_PROBED(in, s32));
	return 0;
}
SEC("tp_btf/sys_enter")
int test_bitfields_direct(void *ctx)
{
	struct core_reloc_bitfields *in = ctx;
	SINK(BPF_CORE_READ_BITFIELD(in, ub1));
	SINK(BPF_CORE_READ_BITFIELD(in, ub2));
	SINK(BPF_CORE_READ_BITFIELD(in, ub7));
	SINK(BPF_CORE_READ_BITFIELD(in, sb4));
	SINK(BPF_CORE_READ_BITFIELD(in, sb20));
	SINK(BPF_CORE_READ_BITFIELD(in, u32));
	SINK(BPF_CORE_READ_BITFIELD(in, s32));
	return 0;
}
