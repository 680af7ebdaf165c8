// Corner cases of 'bpfsharp gen csharp': every C construct the C# printer has a rule for.
// Compiled at test time: clang-19 -O2 -g -target bpf -c edge.c
typedef unsigned int u32;
typedef unsigned long long u64;
typedef __int128 s128;
typedef unsigned __int128 u128;

struct undefined_anywhere;            // forward only: an empty [Relocatable] struct
union undefined_union;

enum color { RED, GREEN = 5, BLUE = 0x7fffffff };
enum sign { NEG = -1, MINUS_BIG = -2147483647 - 1, POS = 3 };
enum big64 { B_SMALL = 1, B_HUGE = 0xfedcba9876543210ULL };
enum neg64 { N_MIN = -9223372036854775807LL - 1, N_ONE = 1 };
enum small : unsigned char { S_A = 1, S_B = 200 };
enum { ANON_A = 7, ANON_B = 8 };      // top-level anonymous enum: constants
typedef enum { TD_X = 1, TD_Y = 2 } td_enum_t;

typedef struct { int counter; } atomic_like_t;   // anonymous struct named by a typedef

struct keywords {                      // C# keywords as field names
	int new;
	int object;
	int string;
	int base;
	int params;
	long event;
	struct keywords *this;
};

struct Keywords2 { int Keywords2; int x; };       // a field named like its (Pascal) type

struct Edge {                        // Pascal name collides with 'struct edge' below
	int a;
};
struct edge {
	int b;
};

struct arrays {
	char comm[16];
	unsigned char bytes[4];
	signed char sbytes[2];
	_Bool flags[3];
	short shorts[2];
	u32 words[5];
	u64 quads[2];
	int matrix[2][3];
	struct edge edges[4];
	struct arrays *ptrs[3];
	void *voids[2];
	enum color colors[2];
	u128 wide[2];
	atomic_like_t atomics[2];
};

struct flex {
	int n;
	char data[];
};

struct zero_len {
	int n;
	struct edge items[0];
};

struct bits {
	unsigned int a : 3;
	unsigned int b : 5;
	int c : 7;
	u64 d : 40;
	enum color e : 8;
	_Bool f : 1;
	unsigned char g;
};

struct scalars {
	char c;
	signed char sc;
	unsigned char uc;
	_Bool flag;
	short s;
	unsigned short us;
	int i;
	unsigned int ui;
	long l;
	unsigned long ul;
	long long ll;
	unsigned long long ull;
	s128 big;
	u128 ubig;
	float f;
	double d;
	enum { INNER_ONE = 1, INNER_TWO = 2 } inner_state;
	td_enum_t td;
	enum small sm;
	enum big64 b64;
	enum neg64 n64;
	enum sign sg;
};

struct pointers {
	struct undefined_anywhere *fwd;
	union undefined_union *fwdu;
	const volatile int *cv;
	int (*fp)(int, long);
	void (*vp)(void);
	struct pointers **pp;
	int (*parr)[4];
	char *str;
	atomic_like_t *atomic;
	struct { int only_here; } *anon_ptr;
	struct flex *flex;
};

union value {
	int i;
	long l;
	struct edge e;
	char bytes[8];
	struct {
		int lo, hi;
	};
};

struct nesting {
	union {
		struct {
			struct nesting *next;
			struct nesting *prev;
		};
		u64 key;
	};
	struct {
		int x;
		union {
			int y;
			unsigned z;
		};
	} named;
	struct {
		int q;
	} pair[2];
	atomic_like_t refs;
	union value v;
	struct keywords kw;
	struct Keywords2 k2;
	struct Edge E;
	struct arrays arr;
	struct zero_len zl;
	struct bits bf;
	struct scalars sc;
	struct pointers p;
};

struct nesting global_nesting;
struct flex global_flex;  // defined, so the flexible array member is in the BTF
