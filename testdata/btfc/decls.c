/* Ordering and declarator corner cases for the C header printer. */
#define SEC(name) __attribute__((section(name), used))

/* Anonymous enum used only as a return type: not "referenced", so printed on its own at top level. */
typedef enum { RET_OK, RET_FAIL = -1 } (*ret_enum_fn)(void);

/* A pointer to an anonymous struct that embeds a named one: the named one must be defined first. */
struct embedded { int v; };
struct holds_anon_ptr { struct { struct embedded e; int w; } *anon; };

/* Typedef used only through a pointer, then defined later. */
typedef struct late late_t;
struct uses_late { late_t *l; struct late *raw; };
struct late { int x; late_t *again; };

/* Same tag and typedef name live in different namespaces: no suffix. */
typedef struct same_name { int a; } same_name;
/* An enumerator and a typedef share the identifier namespace. */
enum ident_clash { clash_t = 1, OTHER_VALUE = 2 };
typedef int clash_t2;

struct arrays {
	int (*fp_arr[2][3])(int);
	char *(*ptr_to_arr)[4];
	const volatile unsigned char cv_bytes[3];
	struct { int x; } anon_arr[2];
	union { int i; char c; } *anon_union_ptr;
	void *(*(*complex)(int, void *(*)(long)))[5];
	int (*(*fn_ret_arr_ptr)(void))[6];
	unsigned __int128 big : 100;
	long long tail : 20;
};

struct func_ptrs {
	void (*noargs)(void);
	int (*varargs)(int, ...);
	struct arrays *(*returns_struct_ptr)(struct arrays *restrict, const struct arrays *);
	enum ident_clash (*returns_enum)(enum { INLINE_A, INLINE_B } arg);
	void (*const const_fp)(void);
	volatile int (*vol_ret)(void);
};

typedef __builtin_va_list my_va_list;
struct va_user { my_va_list *l; };

struct all_decls {
	ret_enum_fn r;
	struct holds_anon_ptr h;
	struct uses_late u;
	same_name s;
	clash_t2 c;
	enum ident_clash ic;
	struct arrays a;
	struct func_ptrs f;
	struct va_user v;
};

struct all_decls g_decls SEC(".data");
SEC("xdp") int decls_prog(void *ctx) { return g_decls.s.a; }
char _license[] SEC("license") = "GPL";
