#include "common.h"
typedef const int *int_ptr;
typedef int *const int_const_ptr;
typedef int arr_t[7];
struct core_reloc_mods_substruct { int x; int y; };
typedef struct { int x; int y; } core_reloc_mods_substruct_t;
struct core_reloc_mods {
	int a;
	int_ptr b;
	char *c;
	int_const_ptr d;
	arr_t e;
	int f[3];
	struct core_reloc_mods_substruct g;
	core_reloc_mods_substruct_t h;
};
SEC("raw_tracepoint/sys_enter")
int test_mods(void *ctx)
{
	struct core_reloc_mods *in = ctx;
	SINK(BPF_CORE_READ(in, a));
	SINK(BPF_CORE_READ(in, b));
	SINK(BPF_CORE_READ(in, c));
	SINK(BPF_CORE_READ(in, d));
	SINK(BPF_CORE_READ(in, e[2]));
	SINK(BPF_CORE_READ(in, f[1]));
	SINK(BPF_CORE_READ(in, g.x));
	SINK(BPF_CORE_READ(in, h.y));
	return 0;
}
