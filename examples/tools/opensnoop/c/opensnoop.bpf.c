// SPDX-License-Identifier: GPL-2.0
// opensnoop's BPF half in C: the twin of ../Probes.cs, for the differential test and the size table.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "opensnoop.h"

#define NR_OPEN 2
#define NR_OPENAT 257

const volatile __u32 target_pid = 0;
const volatile __u32 target_tid = 0;
const volatile __u32 target_uid = (__u32)-1;
const volatile bool target_failed = false;

struct pending_open {
	__u64 fname;
	int flags;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct pending_open);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tp_btf/sys_enter")
int handle_enter(__u64 *ctx)
{
	long id = (long)ctx[1];
	if (id != NR_OPEN && id != NR_OPENAT)
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 pid = pid_tgid >> 32, tid = (__u32)pid_tgid;
	if (target_pid && target_pid != pid)
		return 0;
	if (target_tid && target_tid != tid)
		return 0;
	if (target_uid != (__u32)-1 && target_uid != (__u32)bpf_get_current_uid_gid())
		return 0;
	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	struct pending_open pending = {};
	if (id == NR_OPEN) {
		pending.fname = regs->di;
		pending.flags = (int)regs->si;
	} else {
		pending.fname = regs->si;
		pending.flags = (int)regs->dx;
	}
	bpf_map_update_elem(&start, &tid, &pending, BPF_ANY);
	return 0;
}

SEC("tp_btf/sys_exit")
int handle_exit(__u64 *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	long id = regs->orig_ax;
	if (id != NR_OPEN && id != NR_OPENAT)
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct pending_open *pending = bpf_map_lookup_elem(&start, &tid);
	if (!pending)
		return 0;
	int ret = (int)(long)ctx[1];
	if (target_failed && ret >= 0) {
		bpf_map_delete_elem(&start, &tid);
		return 0;
	}
	struct open_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e) {
		e->pid = pid_tgid >> 32;
		e->uid = (__u32)bpf_get_current_uid_gid();
		e->ret = ret;
		e->flags = pending->flags;
		bpf_get_current_comm(e->comm, sizeof(e->comm));
		bpf_probe_read_user_str(e->fname, sizeof(e->fname), (void *)pending->fname);
		bpf_ringbuf_submit(e, 0);
	}
	bpf_map_delete_elem(&start, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
