// Programs for the instruction-layer tests: compiled at test time with clang-19 -O2 -g -target bpf
// (-mcpu=v3 and v4, both byte orders) and disassembled by llvm-objdump-19 and BpfSharp.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, int);
	__type(value, long);
} counters SEC(".maps");

int global_limit = 10;
const volatile long config_shift = 3;
static long scratch[8];

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

static __noinline long mix(long a, long b)
{
	long r = a * 31 + (b >> config_shift);
	if (a < 0)
		r = -r;
#if __BPF_CPU_VERSION__ >= 4
	return r ^ (a / (b | 1)) ^ (a % 7); /* signed div/mod: cpu v4 */
#else
	return r ^ ((unsigned long)a / (b | 1)) ^ ((unsigned long)a % 7);
#endif
}

static __noinline int callback(__u32 index, void *ctx)
{
	long *acc = ctx;
	*acc += index * 3;
	return index > 5;
}

SEC("xdp")
int xdp_counts(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	int key = 0;
	long *v = bpf_map_lookup_elem(&counters, &key);
	if (!v)
		return XDP_PASS;
	if (data + 14 > end)
		return XDP_DROP;
	__u16 proto = bpf_ntohs(*(__u16 *)(data + 12));
	__sync_fetch_and_add(v, 1);
	__sync_fetch_and_or(v, proto);
	long old = __sync_fetch_and_and(v, 0xffff);
	__sync_fetch_and_xor(v, old);
	__sync_lock_test_and_set(v, mix(old, proto));
	__sync_val_compare_and_swap(v, 5, 6);
	long acc = 0;
	bpf_loop(global_limit, callback, &acc, 0);
	for (int i = 0; i < 8; i++)
		scratch[i] += acc >> i;
	return proto == 0x0800 ? XDP_TX : XDP_PASS;
}

SEC("socket")
int legacy_loads(struct __sk_buff *skb)
{
	unsigned long long b = load_byte(skb, 23);
	unsigned long long h = load_half(skb, 12);
	unsigned long long w = load_word(skb, 26);
	return (int)(b + h + w);
}

SEC("tc")
int signed_math(struct __sk_buff *skb)
{
	signed char c = *(signed char *)(long)skb->cb;
	short s = (short)skb->mark;
	int i = (int)skb->len;
	long x = (long)c * s - i;
	__u32 sw = __builtin_bswap32(skb->hash);
	__u64 sw64 = __builtin_bswap64((__u64)skb->tstamp);
	__u16 sw16 = __builtin_bswap16((__u16)skb->protocol);
#if __BPF_CPU_VERSION__ >= 4
	x = x / (i | 1) + x % (s | 1);
#else
	x = (unsigned long)x / (i | 1) + (unsigned long)x % (s | 1);
#endif
	return (int)(x + sw + (sw64 >> 7) + sw16) + (int)mix(x, i);
}

char LICENSE[] SEC("license") = "GPL";
