// One program per networking and cgroup section name of libbpf 1.1's table (bpftool 7.1 knows neither
// sk_skb/verdict nor the *_unix sock_addr hooks: the C# tests cover those), each with its context, and the socket and
// redirect maps (sockmap, sockhash, devmap, devmap_hash, cpumap, xskmap). The kernel tests attach some of them by
// section name next to their C# twins: connect4 rewrites a port, sk_msg counts and redirects messages.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

struct { __uint(type, BPF_MAP_TYPE_SOCKMAP); __uint(max_entries, 2); __type(key, __u32); __type(value, __u32); } sock_map SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_SOCKHASH); __uint(max_entries, 2); __type(key, __u32); __type(value, __u32); } sock_hash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_DEVMAP); __uint(max_entries, 2); __type(key, __u32); __type(value, __u32); } dev_map SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_DEVMAP_HASH); __uint(max_entries, 2); __type(key, __u32); __type(value, __u32); } dev_hash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_CPUMAP); __uint(max_entries, 2); __type(key, __u32); __type(value, __u32); } cpu_map SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_XSKMAP); __uint(max_entries, 2); __type(key, __u32); __type(value, __u32); } xsk_map SEC(".maps");

/* Set from user space before load: the ports connect4 rewrites (host byte order). */
const volatile __u16 connect_from = 0;
const volatile __u16 connect_to = 0;
/* Counters the tests read back. */
__u64 connects, messages, message_bytes, redirected, sockops_events;

SEC("cgroup/connect4")
int connect4(struct bpf_sock_addr *ctx)
{
	if (ctx->protocol == 6 && ctx->user_port == bpf_htons(connect_from)) {
		ctx->user_port = bpf_htons(connect_to);
		__sync_fetch_and_add(&connects, 1);
	}
	return 1;
}

SEC("sk_msg")
int msg_verdict(struct sk_msg_md *msg)
{
	__u32 self = 0;
	char *data = msg->data, *end = msg->data_end;

	__sync_fetch_and_add(&messages, 1);
	__sync_fetch_and_add(&message_bytes, msg->size);
	/* A message starting with 'R' comes back to its sender's own receive queue. */
	if (data + 1 <= end && data[0] == 'R') {
		__sync_fetch_and_add(&redirected, 1);
		return bpf_msg_redirect_hash(msg, &sock_hash, &self, BPF_F_INGRESS);
	}
	return SK_PASS;
}

SEC("sockops")
int count_established(struct bpf_sock_ops *ops)
{
	__u32 key = 1;
	if (ops->op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB) {
		__sync_fetch_and_add(&sockops_events, 1);
		bpf_sock_hash_update(ops, &sock_hash, &key, BPF_ANY);
	}
	return 1;
}

SEC("sk_skb/stream_parser")
int skb_parser(struct __sk_buff *skb) { return skb->len; }

SEC("sk_skb/stream_verdict")
int skb_verdict(struct __sk_buff *skb) { return bpf_sk_redirect_map(skb, &sock_map, 0, 0); }

SEC("sk_lookup")
int lookup(struct bpf_sk_lookup *ctx)
{
	__u32 key = 0;
	struct bpf_sock *sk;
	long err;

	if (ctx->local_port != connect_from)
		return SK_PASS;
	sk = bpf_map_lookup_elem(&sock_map, &key);
	if (!sk)
		return SK_PASS;
	err = bpf_sk_assign(ctx, sk, 0);
	bpf_sk_release(sk);
	return err ? SK_DROP : SK_PASS;
}

SEC("xdp")
int xdp_to_devmap(struct xdp_md *ctx) { return bpf_redirect_map(&dev_map, 0, XDP_PASS); }

SEC("xdp")
int xdp_to_cpumap(struct xdp_md *ctx) { return bpf_redirect_map(&cpu_map, 0, XDP_PASS); }

SEC("xdp")
int xdp_to_xsk(struct xdp_md *ctx) { return bpf_redirect_map(&xsk_map, ctx->rx_queue_index, XDP_PASS); }

SEC("xdp")
int xdp_to_devhash(struct xdp_md *ctx) { return bpf_redirect_map(&dev_hash, 7, XDP_PASS); }

SEC("cgroup_skb/ingress") int skb_ingress(struct __sk_buff *skb) { return 1; }
SEC("cgroup_skb/egress") int skb_egress(struct __sk_buff *skb) { return 1; }
SEC("cgroup/sock_create") int sock_create(struct bpf_sock *sk) { return 1; }
SEC("cgroup/sock_release") int sock_release(struct bpf_sock *sk) { return 1; }
SEC("cgroup/post_bind4") int post_bind4(struct bpf_sock *sk) { return sk->src_port != 1; }
SEC("cgroup/post_bind6") int post_bind6(struct bpf_sock *sk) { return 1; }
SEC("cgroup/bind4") int bind4(struct bpf_sock_addr *ctx) { return 1; }
SEC("cgroup/bind6") int bind6(struct bpf_sock_addr *ctx) { return 1; }
SEC("cgroup/connect6") int connect6(struct bpf_sock_addr *ctx) { return 1; }
SEC("cgroup/sendmsg4") int sendmsg4(struct bpf_sock_addr *ctx) { return 1; }
SEC("cgroup/sendmsg6") int sendmsg6(struct bpf_sock_addr *ctx) { return 1; }
SEC("cgroup/recvmsg4") int recvmsg4(struct bpf_sock_addr *ctx) { return 1; }
SEC("cgroup/recvmsg6") int recvmsg6(struct bpf_sock_addr *ctx) { return 1; }
SEC("cgroup/getpeername4") int getpeername4(struct bpf_sock_addr *ctx) { return 1; }
SEC("cgroup/getpeername6") int getpeername6(struct bpf_sock_addr *ctx) { return 1; }
SEC("cgroup/getsockname4") int getsockname4(struct bpf_sock_addr *ctx) { return 1; }
SEC("cgroup/getsockname6") int getsockname6(struct bpf_sock_addr *ctx) { return 1; }
SEC("cgroup/sysctl") int sysctl(struct bpf_sysctl *ctx) { return !ctx->write; }
SEC("cgroup/getsockopt") int getsockopt(struct bpf_sockopt *ctx) { return 1; }
SEC("cgroup/setsockopt") int setsockopt(struct bpf_sockopt *ctx) { return 1; }
SEC("cgroup/dev") int dev(struct bpf_cgroup_dev_ctx *ctx) { return 1; }
SEC("tc") int tc_pass(struct __sk_buff *skb) { return 0; }
SEC("flow_dissector") int dissect(struct __sk_buff *skb) { return 0; }
