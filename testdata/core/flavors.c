#include "common.h"
struct core_reloc_flavors { int a; int b; int c; };
struct core_reloc_flavors___reversed { int c; int b; int a; };
struct core_reloc_flavors___weird { struct { int b; }; union { int a; int c; }; };
SEC("raw_tracepoint/sys_enter")
int test_flavors(void *ctx)
{
	struct core_reloc_flavors *in = ctx;
	SINK(BPF_CORE_READ((struct core_reloc_flavors___weird *)in, b));
	SINK(BPF_CORE_READ((struct core_reloc_flavors___reversed *)in, c));
	SINK(BPF_CORE_READ(in, a));
	SINK(BPF_CORE_READ(in, b));
	return 0;
}
