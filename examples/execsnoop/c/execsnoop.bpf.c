// SPDX-License-Identifier: GPL-2.0
// execsnoop's BPF half in C: the twin of ../Probes.cs, for the differential test and the size table.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "execsnoop.h"

#define MAX_ARGS 20
#define ARG_MAX_LEN 128
#define NR_EXECVE 59

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct exec_event);
} pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_event);
} scratch SEC(".maps");

__u64 dropped;

SEC("tp_btf/sys_enter")
int handle_enter(__u64 *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	if ((long)ctx[1] != NR_EXECVE)
		return 0;
	__u32 zero = 0;
	struct exec_event *e = bpf_map_lookup_elem(&scratch, &zero);
	if (!e)
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	e->pid = pid_tgid >> 32;
	e->args_size = 0;
	const char **argv = (const char **)regs->si;
	for (int i = 0; i < MAX_ARGS; i++) {
		const char *arg = NULL;
		if (bpf_probe_read_user(&arg, sizeof(arg), &argv[i]) || !arg)
			break;
		__u32 used = e->args_size;
		if (used > ARGS_SIZE - ARG_MAX_LEN)
			break;
		long n = bpf_probe_read_user_str(&e->args[used], ARG_MAX_LEN, arg);
		if (n <= 0)
			break;
		e->args_size = used + n;
	}
	bpf_map_update_elem(&pending, &tid, e, BPF_ANY);
	return 0;
}

SEC("tp_btf/sys_exit")
int handle_exit(__u64 *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	if ((long)regs->orig_ax != NR_EXECVE)
		return 0;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct exec_event *p = bpf_map_lookup_elem(&pending, &tid);
	if (!p)
		return 0;
	struct exec_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&dropped, 1);
		bpf_map_delete_elem(&pending, &tid);
		return 0;
	}
	*e = *p;
	e->ret = (int)ctx[1];
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	struct task_struct *task = bpf_get_current_task_btf();
	e->ppid = task->real_parent->tgid;
	bpf_ringbuf_submit(e, 0);
	bpf_map_delete_elem(&pending, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
