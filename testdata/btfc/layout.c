/* Struct layouts for the C header printer: padding, bitfields, packing, alignment. */
#define SEC(name) __attribute__((section(name), used))

struct pad_tail { long a; char b; };
struct pad_middle { char a; long b; char c; int d; };
struct pad_only_bitfields { int : 32; };
struct pad_unnamed_gap { char a; int : 24; char b; };
struct bits_basic { unsigned int a : 3; unsigned int b : 5; int c : 10; unsigned long long d : 40; char e; };
struct bits_cross { unsigned char a : 7; unsigned short b : 12; unsigned int c : 20; unsigned long d : 50; };
struct bits_gap { unsigned int a : 3; unsigned int : 10; unsigned int b : 4; unsigned long : 30; unsigned int c : 1; };
struct bits_zero { unsigned int a : 3; unsigned int : 0; unsigned int b : 2; unsigned long : 0; char c; };
struct __attribute__((packed)) packed_simple { char a; int b; short c; };
struct __attribute__((packed)) packed_natural { int a; int b; };
struct packed_inner { int x; char y; } __attribute__((packed));
struct holds_packed { short x; struct packed_inner a; };
struct __attribute__((packed)) packed_bits { char a; unsigned int b : 20; long c; };
struct __attribute__((aligned(16))) aligned16 { int a; };
struct holds_aligned { char c; struct aligned16 a; char d; };
struct __attribute__((aligned(64))) cacheline { long a; };
struct holds_cacheline { int x; struct cacheline c; int y; };
struct trailing_aligned_member { char a; long b __attribute__((aligned(32))); };
struct flex_array { int n; long items[]; };
struct zero_array { int n; char z[0]; };
struct empty {};
struct only_empty { struct empty e; };
union u_mixed { char c; long l; struct { int a; int b; } s; unsigned int bf : 3; };
union __attribute__((packed)) u_packed { char c[5]; int i; };
struct int128_holder { __int128 a; unsigned __int128 b; char c; };
struct float_holder { float f; double d; long double ld; };
struct nested_padding { char a; struct { char b; long c; } inner; char d; };
struct big_gap { char a; char b __attribute__((aligned(256))); };
struct char_then_bits { char a; unsigned long b : 60; unsigned long c : 4; char d; };
struct ptr_bits { void *p; unsigned int x : 1; void *q; };

struct all_layouts {
	struct pad_tail a; struct pad_middle b; struct pad_only_bitfields c; struct pad_unnamed_gap d;
	struct bits_basic e; struct bits_cross f; struct bits_gap g; struct bits_zero h;
	struct packed_simple i; struct packed_natural j; struct holds_packed k; struct packed_bits l;
	struct holds_aligned m; struct holds_cacheline n; struct trailing_aligned_member o;
	struct zero_array q; struct only_empty r; union u_mixed s; union u_packed t;
	struct int128_holder u; struct float_holder v; struct nested_padding w; struct big_gap x;
	struct char_then_bits y; struct ptr_bits z; struct flex_array *fa;
};

struct all_layouts g_layouts SEC(".data");

SEC("xdp") int layouts_prog(void *ctx) { return g_layouts.a.b; }
char _license[] SEC("license") = "GPL";
