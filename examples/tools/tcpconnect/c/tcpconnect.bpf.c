// SPDX-License-Identifier: GPL-2.0
// tcpconnect's BPF half in C: the twin of ../Probes.cs, for the differential test and the size table.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "tcpconnect.h"

#define AF_INET 2
#define AF_INET6 10
#define TCP_SYN_SENT_STATE 2
#define IPPROTO_TCP_NUM 6

const volatile __u32 target_pid = 0;
const volatile __u32 target_uid = (__u32)-1;
const volatile __u16 target_family = 0;
const volatile bool filter_ports = false;
const volatile bool do_count = false;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u16);
	__type(value, __u8);
} ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct ipv4_flow_key);
	__type(value, __u64);
} ipv4_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct ipv6_flow_key);
	__type(value, __u64);
} ipv6_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} connect_events SEC(".maps");

static __always_inline void count_v4(const struct sock *sk, __u16 dport)
{
	struct ipv4_flow_key key = {};
	key.saddr = sk->__sk_common.skc_rcv_saddr;
	key.daddr = sk->__sk_common.skc_daddr;
	key.dport = dport;
	__u64 *count = bpf_map_lookup_elem(&ipv4_counts, &key);
	if (count) {
		__sync_fetch_and_add(count, 1);
	} else {
		__u64 one = 1;
		bpf_map_update_elem(&ipv4_counts, &key, &one, BPF_NOEXIST);
	}
}

static __always_inline void count_v6(const struct sock *sk, __u16 dport)
{
	struct ipv6_flow_key key = {};
	bpf_probe_read_kernel(key.saddr, 16, sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr32);
	bpf_probe_read_kernel(key.daddr, 16, sk->__sk_common.skc_v6_daddr.in6_u.u6_addr32);
	key.dport = dport;
	__u64 *count = bpf_map_lookup_elem(&ipv6_counts, &key);
	if (count) {
		__sync_fetch_and_add(count, 1);
	} else {
		__u64 one = 1;
		bpf_map_update_elem(&ipv6_counts, &key, &one, BPF_NOEXIST);
	}
}

SEC("tp_btf/inet_sock_set_state")
int handle_state_change(__u64 *ctx)
{
	if ((int)ctx[2] != TCP_SYN_SENT_STATE)
		return 0;
	const struct sock *sk = (const struct sock *)ctx[0];
	if (sk->sk_protocol != IPPROTO_TCP_NUM)
		return 0;
	__u16 family = sk->__sk_common.skc_family;
	if (family != AF_INET && family != AF_INET6)
		return 0;
	if (target_family && family != target_family)
		return 0;

	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 pid = pid_tgid >> 32;
	if (target_pid && pid != target_pid)
		return 0;
	__u32 uid = (__u32)bpf_get_current_uid_gid();
	if (target_uid != (__u32)-1 && uid != target_uid)
		return 0;

	__u16 dport = sk->__sk_common.skc_dport;
	if (filter_ports && !bpf_map_lookup_elem(&ports, &dport))
		return 0;

	if (do_count) {
		if (family == AF_INET)
			count_v4(sk, dport);
		else
			count_v6(sk, dport);
		return 0;
	}

	struct connect_event *e = bpf_ringbuf_reserve(&connect_events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->af = family;
	e->pid = pid;
	e->uid = uid;
	e->ts_us = bpf_ktime_get_ns() / 1000;
	e->dport = dport;
	if (family == AF_INET) {
		*(__u32 *)e->saddr = sk->__sk_common.skc_rcv_saddr;
		*(__u32 *)e->daddr = sk->__sk_common.skc_daddr;
	} else {
		bpf_probe_read_kernel(e->saddr, 16, sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr32);
		bpf_probe_read_kernel(e->daddr, 16, sk->__sk_common.skc_v6_daddr.in6_u.u6_addr32);
	}
	bpf_get_current_comm(e->task, sizeof(e->task));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
