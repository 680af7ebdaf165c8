// Programs that run from a devmap or cpumap entry (struct bpf_devmap_val / bpf_cpumap_val carry their fd) after an
// XDP program redirected a frame there. The loader parity test loads them with bpftool and with ours; the netlink
// attach tests run the devmap one on frames redirected back out of a veth and count them in entry_runs.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

struct { __uint(type, BPF_MAP_TYPE_DEVMAP); __uint(max_entries, 2); __type(key, __u32); __type(value, struct bpf_devmap_val); } ports_with_programs SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_CPUMAP); __uint(max_entries, 2); __type(key, __u32); __type(value, struct bpf_cpumap_val); } cpus_with_programs SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u64); } entry_runs SEC(".maps");

static int is_ipv4(struct xdp_md *ctx)
{
	struct ethhdr *eth = (void *)(long)ctx->data;
	return (void *)(eth + 1) <= (void *)(long)ctx->data_end && eth->h_proto == bpf_htons(ETH_P_IP);
}

static void count(__u32 slot)
{
	__u64 *n = bpf_map_lookup_elem(&entry_runs, &slot);
	if (n)
		__sync_fetch_and_add(n, 1);
}

// IPv4 frames go to the device in slot 0 (ARP stays with the stack).
SEC("xdp") int to_port(struct xdp_md *ctx) { return is_ipv4(ctx) ? bpf_redirect_map(&ports_with_programs, 0, XDP_PASS) : XDP_PASS; }
SEC("xdp") int to_cpu(struct xdp_md *ctx) { return is_ipv4(ctx) ? bpf_redirect_map(&cpus_with_programs, 0, XDP_PASS) : XDP_PASS; }

// Runs for each frame the devmap sends; egress_ifindex is the slot's device.
SEC("xdp/devmap") int on_port(struct xdp_md *ctx) { count(0); return ctx->egress_ifindex ? XDP_PASS : XDP_DROP; }
SEC("xdp/cpumap") int on_cpu(struct xdp_md *ctx) { count(1); return XDP_PASS; }
