/* Declarations for the C header printer: anonymous types, function pointers, enums, modifiers, tags. */
#define SEC(name) __attribute__((section(name), used))
#define __tag1 __attribute__((btf_type_tag("tag1")))
#define __tag2 __attribute__((btf_type_tag("tag2")))
#define __decl __attribute__((btf_decl_tag("decl")))

struct fwd_only;
union fwd_union;
struct self_ref { struct self_ref *next; struct fwd_only *f; union fwd_union *u; };
struct mutual_b;
struct mutual_a { struct mutual_b *b; int x; };
struct mutual_b { struct mutual_a a; struct mutual_a *pa; };

typedef int (*binop_fn)(int, int);
typedef void (*vararg_fn)(const char *fmt, ...);
typedef int func_type(long a, void *b);
typedef func_type *func_type_ptr;
typedef struct { int x; int y; } anon_point_t;
typedef union { int i; float f; } anon_union_t;
typedef enum { ANON_A, ANON_B = 5 } anon_enum_t;
typedef struct named_s { int v; } named_t, *named_ptr_t;
typedef const volatile int cv_int;
typedef int arr_t[4][5];
typedef int (*arr_of_fn_ptrs_t[3])(void);
typedef char *(*(*fn_returning_fn_ptr)(int))(long);

enum unsigned_enum { U_ZERO, U_MAX = 4294967295u };
enum signed_enum { S_NEG = -5, S_POS = 7, S_MIN = -2147483647 - 1 };
enum big_enum { BIG_LOW = 1, BIG_HIGH = 0x123456789abcdefULL };
enum big_signed_enum { BIGS_NEG = -0x100000000LL, BIGS_POS = 3 };
enum big_small_values { BSV_A = 1, BSV_B = 2 } __attribute__((mode(word)));
enum __attribute__((packed)) packed_enum { PE_A, PE_B = 200 };
enum __attribute__((packed)) packed_enum16 { PE16_A, PE16_B = 40000 };
enum { TOPLEVEL_ANON_1 = 10, TOPLEVEL_ANON_2 };
enum empty_fwd_enum;

struct kitchen_sink {
	struct { int a; struct { char b; union { int c; long d; }; } inner; };
	union { struct { short e; short f; }; int g; } named_union;
	enum { KS_X, KS_Y } anon_enum_member;
	int (*callbacks[4])(struct kitchen_sink *, int);
	void (*(*getter)(void))(int);
	binop_fn op;
	vararg_fn log;
	func_type_ptr fptr;
	anon_point_t pt;
	anon_union_t au;
	anon_enum_t ae;
	named_t nt;
	named_ptr_t np;
	cv_int cvi;
	const volatile int *const *volatile ptr_chain;
	const char *const strs[2];
	char *restrict rp;
	int __tag1 *tagged;
	int __tag1 __tag2 *double_tagged;
	const int __tag1 *const_tagged;
	int __tag1 *__tag2 *tag_chain;
	int *__tag1 tag_after_star; /* clang-19 drops a tag on the pointer itself */
	arr_t matrix;
	arr_of_fn_ptrs_t fns;
	fn_returning_fn_ptr frfp;
	int (*arr_ptr)[8];
	int *ptr_arr[8];
	struct self_ref sr;
	struct mutual_b mb;
	enum unsigned_enum ue;
	enum signed_enum se;
	enum big_enum be;
	enum big_signed_enum bse;
	enum big_small_values bsv;
	enum packed_enum pe;
	enum packed_enum16 pe16;
	enum empty_fwd_enum *efe;
	struct { struct { int deep; } l2; } l1;
	union { struct { int lo, hi; }; long both; } __attribute__((aligned(8))) combo;
	_Bool flag;
	__builtin_va_list *valist;
	int __decl decl_tagged_member;
	struct fwd_only *fo;
} __decl;

struct kitchen_sink g_sink SEC(".data");

int global_fn(struct kitchen_sink *ks, int (*cb)(int), ...) __decl;
SEC("xdp") int types_prog(void *ctx)
{
	return g_sink.pt.x + TOPLEVEL_ANON_2;
}

char _license[] SEC("license") = "GPL";
