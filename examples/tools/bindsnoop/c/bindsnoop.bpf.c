// SPDX-License-Identifier: GPL-2.0
// bindsnoop's BPF half in C: the twin of ../Probes.cs, for the differential test and the size table.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "bindsnoop.h"

#define NR_BIND 49
#define AF_INET 2
#define AF_INET6 10
#define S_IFMT 0xF000
#define S_IFSOCK 0xC000
/* bits of inet_sock.inet_flags (enum INET_FLAGS_*, Linux 6.6+; the enum is anonymous) */
#define INET_FLAGS_FREEBIND_BIT 11
#define INET_FLAGS_TRANSPARENT_BIT 15
#define INET_FLAGS_BIND_ADDRESS_NO_PORT_BIT 18

const volatile __u32 target_pid = 0;
const volatile bool ignore_errors = true;
const volatile bool filter_by_port = false;

struct pending_bind {
	__u64 sockaddr;
	int fd;
};

struct user_sockaddr {
	__u16 family;
	__u16 port;
	__u32 flowinfo_or_ipv4;
	__u8 ipv6[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct pending_bind);
} binds SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u16);
	__type(value, __u16);
} ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} bind_events SEC(".maps");

SEC("tp_btf/sys_enter")
int handle_bind_enter(__u64 *ctx)
{
	if ((long)ctx[1] != NR_BIND)
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (target_pid && (__u32)(pid_tgid >> 32) != target_pid)
		return 0;
	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	struct pending_bind pending = {};
	pending.fd = (int)regs->di;
	pending.sockaddr = regs->si;
	__u32 tid = (__u32)pid_tgid;
	bpf_map_update_elem(&binds, &tid, &pending, BPF_ANY);
	return 0;
}

static __always_inline void report(__u64 pid_tgid, int ret, int fd, __u64 sockaddr)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = task->files->fdt;
	if ((__u32)fd >= fdt->max_fds)
		return;
	struct file *file = NULL;
	bpf_probe_read_kernel(&file, 8, fdt->fd + fd);
	if (!file)
		return;
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	if ((BPF_CORE_READ(inode, i_mode) & S_IFMT) != S_IFSOCK)
		return;
	struct socket *socket = BPF_CORE_READ(file, private_data);
	struct sock *sk = BPF_CORE_READ(socket, sk);
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return;
	struct inet_sock *inet = (struct inet_sock *)sk;

	struct bind_event e = {};
	if (ret == 0) {
		e.port = bpf_ntohs(BPF_CORE_READ(inet, inet_sport));
		if (family == AF_INET)
			*(__u32 *)e.addr = BPF_CORE_READ(inet, inet_saddr);
		else
			bpf_probe_read_kernel(e.addr, 16, sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr32);
	} else {
		struct user_sockaddr requested = {};
		bpf_probe_read_user(&requested, family == AF_INET ? 8 : sizeof(requested), (void *)sockaddr);
		e.port = bpf_ntohs(requested.port);
		if (family == AF_INET)
			*(__u32 *)e.addr = requested.flowinfo_or_ipv4;
		else
			bpf_probe_read_kernel(e.addr, 16, requested.ipv6);
	}
	if (filter_by_port) {
		__u16 port = e.port;
		if (!bpf_map_lookup_elem(&ports, &port))
			return;
	}

	unsigned long flags = BPF_CORE_READ(inet, inet_flags);
	__u8 opts = 0;
	if ((flags >> INET_FLAGS_FREEBIND_BIT) & 1)
		opts |= 1;
	if ((flags >> INET_FLAGS_TRANSPARENT_BIT) & 1)
		opts |= 2;
	if ((flags >> INET_FLAGS_BIND_ADDRESS_NO_PORT_BIT) & 1)
		opts |= 4;
	if (BPF_CORE_READ_BITFIELD_PROBED(sk, __sk_common.skc_reuse))
		opts |= 8;
	if (BPF_CORE_READ_BITFIELD_PROBED(sk, __sk_common.skc_reuseport))
		opts |= 16;
	e.opts = opts;
	e.ver = family == AF_INET ? 4 : 6;
	e.proto = BPF_CORE_READ(sk, sk_protocol);
	e.bound_dev_if = BPF_CORE_READ(sk, __sk_common.skc_bound_dev_if);
	e.ret = ret;
	e.pid = pid_tgid >> 32;
	e.ts_us = bpf_ktime_get_ns() / 1000;
	bpf_get_current_comm(e.task, sizeof(e.task));
	bpf_ringbuf_output(&bind_events, &e, sizeof(e), 0);
}

SEC("tp_btf/sys_exit")
int handle_bind_exit(__u64 *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	if ((long)regs->orig_ax != NR_BIND)
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct pending_bind *pending = bpf_map_lookup_elem(&binds, &tid);
	if (!pending)
		return 0;
	int ret = (int)(long)ctx[1];
	if (!ignore_errors || ret == 0)
		report(pid_tgid, ret, pending->fd, pending->sockaddr);
	bpf_map_delete_elem(&binds, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
