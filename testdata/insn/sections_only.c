// Every function in its own section, so .text is empty (llvm-objdump prints no banner for it), and a
// program made of several functions in one section.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int first(struct xdp_md *ctx)
{
	return ctx->ingress_ifindex > 3 ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int second(struct xdp_md *ctx)
{
	__u32 n = ctx->rx_queue_index;
	for (int i = 0; i < 4; i++)
		n = n * 7 + (n >> 3);
	return n & 1 ? XDP_TX : XDP_PASS;
}

SEC("kprobe/do_nanosleep")
int probe(void *ctx)
{
	char msg[] = "sleep %d\n";
	bpf_trace_printk(msg, sizeof(msg), 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
