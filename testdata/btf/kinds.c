// BTF of every kind clang emits for BPF: bitfields, enums (signed, unsigned, 64-bit), func protos,
// datasecs, decl_tag/type_tag, floats, forward declarations and modifiers.
// Compiled at test time: clang-19 -O2 -g -target bpf -c kinds.c
#define SEC(name) __attribute__((section(name), used))
#define __tag(x) __attribute__((btf_decl_tag(x)))
#define __ttag(x) __attribute__((btf_type_tag(x)))

typedef unsigned int u32;
typedef unsigned long long u64;

struct opaque; // forward only
union opaque_u;

enum color { RED, GREEN = 5, BLUE = 0x7fffffff };
enum sign { NEG = -1, MINUS_BIG = -2147483647 - 1, POS = 3 };
enum big64 { B_SMALL = 1, B_HUGE = 0xfedcba9876543210ULL };
enum neg64 { N_MIN = -9223372036854775807LL - 1, N_ONE = 1 };
enum small : unsigned char { S_A = 1, S_B = 200 };

struct bits {
	unsigned int a : 3;
	unsigned int b : 5;
	int c : 7;
	u64 d : 40;
	enum color e : 8;
	unsigned char f;
	union {
		int i;
		float fl;
	};
	struct {
		short s1, s2;
	} nested;
	char name[16];
	int matrix[2][3];
} __tag("struct_tag");

struct with_ptrs {
	struct opaque *o;
	union opaque_u *u;
	const volatile int *cv;
	int *restrict r;
	int __ttag("user") *user_ptr;
	int __ttag("percpu") __ttag("rcu") *multi;
	int (*fp)(int, long);
	void (*vp)(void);
	double d;
	long double ld;
	_Bool flag;
	char c;
	signed char sc;
	unsigned short us;
	__int128 i128;
	unsigned __int128 u128;
};

int global_counter SEC(".data") = 1;
static volatile int static_counter;
const int ro_value = 42;
struct bits g_bits __tag("var_tag");
struct with_ptrs g_ptrs SEC(".data.custom");
enum sign g_sign;
enum big64 g_big;
enum neg64 g_neg;
enum small g_small;
extern int LINUX_KERNEL_VERSION __attribute__((section(".kconfig"), weak));

__attribute__((noinline)) static int helper(int x __tag("param_tag"), struct bits *b) __tag("func_tag")
{
	return x + b->a + static_counter;
}

__attribute__((noinline)) int global_fn(struct with_ptrs *p, u32 n)
{
	return p->c + n + LINUX_KERNEL_VERSION;
}

SEC("xdp") int prog(void *ctx)
{
	g_bits.a = 1;
	return helper(global_counter, &g_bits) + global_fn(&g_ptrs, ro_value) + g_sign + g_big + g_neg + g_small;
}

char LICENSE[] SEC("license") = "GPL";
