#include "common.h"
enum core_reloc_primitives_enum { A = 0, B = 1 };
struct core_reloc_primitives {
	char a;
	int b;
	enum core_reloc_primitives_enum c;
	void *d;
	int (*f)(const char *);
};
SEC("raw_tracepoint/sys_enter")
int test_primitives(void *ctx)
{
	struct core_reloc_primitives *in = ctx;
	SINK(BPF_CORE_READ(in, a));
	SINK(BPF_CORE_READ(in, b));
	SINK(BPF_CORE_READ(in, c));
	SINK(BPF_CORE_READ(in, d));
	SINK(BPF_CORE_READ(in, f));
	return 0;
}
