/* Reads USDT arguments with libbpf's usdt.bpf.h: each probe hit stores bpf_usdt_arg_cnt, bpf_usdt_cookie and
 * every argument in the record of its (probe, round). Compiled at test time with USDT_TARGET and USDT_LIBRARY
 * set to the target binary and library, so the sections auto-attach (usdt/PATH:PROVIDER:NAME). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

char LICENSE[] SEC("license") = "GPL";

struct usdt_record {
	long count;
	long cookie;
	long hits;
	long args[12];
	int errors[12];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, struct usdt_record);
} usdt_records SEC(".maps");

static __always_inline int record(struct pt_regs *ctx, __u32 probe, int round_arg)
{
	long round = 0;
	bpf_usdt_arg(ctx, round_arg, &round);
	__u32 key = probe * 8 + (round & 7);
	struct usdt_record *r = bpf_map_lookup_elem(&usdt_records, &key);
	if (!r)
		return 0;
	r->count = bpf_usdt_arg_cnt(ctx);
	r->cookie = bpf_usdt_cookie(ctx);
	r->hits++;
#pragma unroll
	for (int i = 0; i < 12; i++)
		r->errors[i] = bpf_usdt_arg(ctx, i, &r->args[i]);
	return 0;
}

SEC("usdt/" USDT_TARGET ":bpfsharp_test:plain")
int usdt_plain(struct pt_regs *ctx) { return record(ctx, 0, 0); }

SEC("usdt/" USDT_TARGET ":bpfsharp_test:plain_mem")
int usdt_plain_mem(struct pt_regs *ctx) { return record(ctx, 1, 3); }

SEC("usdt/" USDT_TARGET ":bpfsharp_test:gated")
int usdt_gated(struct pt_regs *ctx) { return record(ctx, 2, 0); }

SEC("usdt/" USDT_LIBRARY ":bpfsharp_lib:fired")
int usdt_lib(struct pt_regs *ctx) { return record(ctx, 3, 0); }
