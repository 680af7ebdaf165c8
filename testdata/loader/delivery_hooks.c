// C twins of tests/BpfSharp.TestPrograms/Network/DeliveryHooks.cs: lwt route programs, sk_reuseport select and
// migrate, and an XDP program feeding an AF_XDP socket; the loader parity test loads them with bpftool and ours.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } delivery_counters SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } delivery_config SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } reuseport_group SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_XSKMAP); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } xsks_by_queue SEC(".maps");

static void count(__u32 slot)
{
	__u64 *counter = bpf_map_lookup_elem(&delivery_counters, &slot);
	if (counter)
		__sync_fetch_and_add(counter, 1);
}

static __u32 setting(__u32 slot)
{
	__u32 *value = bpf_map_lookup_elem(&delivery_config, &slot);
	return value ? *value : 0;
}

SEC("lwt_in") int lwt_in_count(struct __sk_buff *skb) { count(0); return BPF_OK; }
SEC("lwt_out") int lwt_out_count(struct __sk_buff *skb) { count(1); return BPF_OK; }
SEC("lwt_xmit") int lwt_xmit_count(struct __sk_buff *skb) { count(2); return BPF_OK; }

SEC("sk_reuseport")
int select_configured(struct sk_reuseport_md *reuse)
{
	__u32 index = setting(0);
	if (bpf_sk_select_reuseport(reuse, &reuseport_group, &index, 0))
		return SK_DROP;
	count(3);
	return SK_PASS;
}

SEC("sk_reuseport/migrate")
int migrate_to_configured(struct sk_reuseport_md *reuse)
{
	int migrating = reuse->migrating_sk != 0;
	__u32 index = setting(migrating ? 1 : 0);
	if (bpf_sk_select_reuseport(reuse, &reuseport_group, &index, 0))
		return SK_DROP;
	count(migrating ? 4 : 3);
	return SK_PASS;
}

SEC("xdp")
int udp_to_xdp_socket(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	count(5);
	return bpf_redirect_map(&xsks_by_queue, ctx->rx_queue_index, XDP_PASS);
}
