// A libbpf-style object: BTF-defined maps, typedef chains, anonymous types, and a 64-bit enum in a map value.
// Compiled at test time: clang-19 -O2 -g -target bpf -c maps.c
#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef __u32 u32_alias;
typedef u32_alias u32_alias2;

enum flags64 { F_LOW = 1ULL, F_HIGH = 1ULL << 63 };

struct value {
	u32_alias2 count;
	enum flags64 flags;
	struct { int x, y; } point;
	union { __u64 raw; struct { __u32 lo, hi; }; } word;
};

struct {
	__uint(type, 1);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, struct value);
} values SEC(".maps");

struct {
	__uint(type, 2);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, __u64);
} counts SEC(".maps");

int bss_var;
static const char fmt[] = "hello %d";

SEC("tracepoint/syscalls/sys_enter_write") int handle(void *ctx)
{
	__u32 key = 0;
	bss_var += fmt[0];
	return key + bss_var;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
