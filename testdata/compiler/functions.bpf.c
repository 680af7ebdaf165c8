// C twin of the requested BPF-to-BPF functions of tests/BpfSharp.TestPrograms/Functions.cs: what clang does with
// `static __noinline` (static functions) and `__noinline` (global functions verified on their own).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct Pair { long long A; long long B; };
struct Counter { long long Total; };

static __noinline void Add(struct Counter *self, long long value) { self->Total += value * 2; }
static __noinline long long Mix(long long x, long long y) { return x * 31 + y; }
static __noinline void Fill(struct Pair *p, long long v) { p->A = v; p->B = v + 1; }
__noinline int SumPair(struct Pair *p) { if (!p) return -1; return (int)(p->A + p->B); }
static __noinline int Scale(int x, short s, unsigned char b) { return x * s - b; }
static __noinline void MinMax(const long long *a, const long long *b, long long *min, long long *max)
{
	*min = *a < *b ? *a : *b;
	*max = *a < *b ? *b : *a;
}
static __noinline long long Twice(long long x) { return Mix(x, x) + Mix(x, 1); }
static __noinline _Bool IsOdd(long long x) { return (x & 1) != 0; }
__noinline int Classify(int value, struct Pair *scratch)
{
	if (!scratch) return 0;
	scratch->A = value;
	return IsOdd(value) ? 1 : 2;
}

SEC("xdp") int CallStatic(void *ctx) { return (int)(Mix(3, 4) + Mix(-5, 6)); }

SEC("xdp") int CallWithStackPointer(void *ctx)
{
	struct Pair p;
	Fill(&p, 20);
	Fill(&p, p.B);
	return (int)(p.A * 100 + p.B);
}

SEC("xdp") int CallGlobal(void *ctx)
{
	struct Pair p = { 40, 2 };
	return SumPair(&p) * 10 + SumPair(0) + Classify(7, &p) * 1000 + (int)p.A;
}

SEC("xdp") int CallNarrowArguments(void *ctx) { return Scale(-7, -3, 200) + Scale(1000, 2, 1); }

SEC("xdp") int CallWithReferences(void *ctx)
{
	long long a = 17, b = -4, min, max, min2, max2;
	MinMax(&a, &b, &min, &max);
	MinMax(&max, &min, &min2, &max2);
	return (int)(min * 1000 + max + min2 * 100 + max2);
}

SEC("xdp") int CallNested(void *ctx) { return (int)(Twice(5) - Twice(-2) + (IsOdd(9) ? 1 : 0)); }

SEC("xdp") int CallInstanceMethod(void *ctx)
{
	struct Counter counter = { 0 };
	Add(&counter, 20);
	Add(&counter, 1);
	return (int)counter.Total;
}

char LICENSE[] SEC("license") = "GPL";
