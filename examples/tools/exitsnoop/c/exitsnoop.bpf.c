// SPDX-License-Identifier: GPL-2.0
// exitsnoop's BPF half in C: the twin of ../Probes.cs, for the differential test and the size table.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "exitsnoop.h"

const volatile __u32 target_pid = 0;
const volatile bool trace_failed_only = false;
const volatile bool trace_threads = false;
const volatile bool use_perf_buffer = false;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} perf_events SEC(".maps");

SEC("tp_btf/sched_process_exit")
int handle_exit(__u64 *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 pid = pid_tgid >> 32, tid = (__u32)pid_tgid;
	if (target_pid && target_pid != pid)
		return 0;
	if (!trace_threads && pid != tid)
		return 0;

	struct task_struct *task = bpf_get_current_task_btf();
	int exit_code = task->exit_code;
	if (trace_failed_only && exit_code == 0)
		return 0;

	struct exit_event e = {};
	e.start_time = task->start_time;
	e.exit_time = bpf_ktime_get_ns();
	e.pid = pid;
	e.tid = tid;
	e.ppid = task->real_parent->tgid;
	e.sig = exit_code & 0xff;
	e.exit_code = exit_code >> 8;
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	if (use_perf_buffer)
		bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	else
		bpf_ringbuf_output(&events, &e, sizeof(e), 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
