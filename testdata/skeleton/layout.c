// Every layout 'bpfsharp gen skeleton' writes a C# struct for (nested structs, unions, enums of each size, arrays,
// pointers, bitfields, packed structs, anonymous members, C# keywords as names), used as map keys and values and as
// globals in .rodata, .data and .bss. The socket programs copy them around so that the tests see what the kernel
// sees; the raw tracepoint program counts system calls for AttachAll.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

enum color { RED = 1, GREEN = 2, BLUE = 0x7fffffff };
enum __attribute__((packed)) tiny { TINY_A = 1, TINY_B = 200 };
enum sign { MINUS = -5, PLUS = 5 };
enum wide { WIDE_BIG = 0x1122334455667788ULL };

struct inner { __u16 x; __u8 tag; __u64 y; };
union word { __u32 word; __u8 bytes[4]; struct { __u16 lo, hi; } halves; };

struct key {
	__u32 id;
	char name[6];
	__u16 port;
};

struct value {
	__u8 kind;
	__u64 count;
	struct inner nested;
	union word u;
	enum color color;
	enum tiny tiny;
	enum sign sign;
	__u32 flags : 3;
	__u32 level : 5;
	__s32 delta : 12;
	_Bool on : 1;
	__u8 after;
	void *ptr;
	struct inner many[2];
	__u32 ids[3];
	__u64 *ptrs[2];
	enum wide wide;
	struct { __u32 a; __u16 b; } anon_named;
	union { __u32 as_int; float as_float; };
	int lock;
	char string;
	__s16 matrix[2][3];
};

struct __attribute__((packed)) packed { __u8 a; __u64 b; __u8 c; };
/* Packed with bitfields: an unsigned int's storage unit would run past the struct's 3 bytes (like orc_entry). */
struct __attribute__((packed)) packed_bits { __u16 a; __u32 lo : 4; __u32 hi : 4; };

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 16); __type(key, struct key); __type(value, struct value); } values SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, struct packed); } packs SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } per_cpu SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } events SEC(".maps");

const volatile __u32 rodata_mult = 1;
const volatile struct key rodata_key = { .id = 1, .name = "first", .port = 80 };
__u64 data_counter = 5;
struct packed data_packed = { .a = 1, .b = 0x0102030405060708ULL, .c = 3 };
struct { __u32 a; __u64 b; } anon_cfg = { .a = 11, .b = 22 };
struct packed_bits data_bits = { .a = 0x1234, .lo = 5, .hi = 9 };
struct value bss_value;
__u64 bss_seen;
__u32 bss_hits;
int params;
char bss_text[16];
enum sign bss_sign;
struct packed packed_pair[2]; /* packed elements: an array of them has no padding between */

// Reads what user space put in the map under rodata_key; writes a value of its own under id 99.
SEC("socket")
int copy_prog(struct __sk_buff *skb)
{
	struct key k = rodata_key;
	struct value *v = bpf_map_lookup_elem(&values, &k);
	if (v) {
		bss_value = *v;
		bss_seen = v->count * rodata_mult + v->nested.y + v->many[1].y + v->ids[2] + v->anon_named.b + v->matrix[1][2];
	}
	data_counter++;
	__u32 zero = 0;
	struct packed p = data_packed;
	p.c += 1;
	p.b += anon_cfg.b;
	bpf_map_update_elem(&packs, &zero, &p, BPF_ANY);

	struct key mine = { .id = 99, .name = "bpf", .port = 7 };
	struct value w = {};
	w.kind = 7;
	w.count = 1000 * rodata_mult;
	w.nested.x = 3;
	w.nested.tag = 4;
	w.nested.y = 5;
	w.u.halves.lo = 0x1111;
	w.u.halves.hi = 0x2222;
	w.color = BLUE;
	w.tiny = TINY_B;
	w.sign = MINUS;
	w.flags = 5;
	w.level = 17;
	w.delta = -3;
	w.on = 1;
	w.after = 0xab;
	w.many[1].y = 77;
	w.ids[2] = 33;
	w.wide = WIDE_BIG;
	w.anon_named.b = 9;
	w.as_int = 0x3f800000;
	w.lock = -1;
	w.string = 's';
	w.matrix[1][2] = -2;
	bpf_map_update_elem(&values, &mine, &w, BPF_ANY);
	bss_text[0] = 'o';
	bss_text[1] = 'k';
	bss_sign = params > 0 ? PLUS : MINUS;
	packed_pair[1].b = data_packed.b;
	packed_pair[1].c = 9;
	return 0;
}

SEC("raw_tp/sys_enter")
int count_syscalls(void *ctx)
{
	__sync_fetch_and_add(&bss_hits, 1);
	return 0;
}
