// SPDX-License-Identifier: GPL-2.0
// syscount's BPF half in C: the twin of ../Probes.cs, for the differential test and the size table.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "syscount.h"

const volatile __u32 filter_pid = 0;
const volatile bool filter_failed = false;
const volatile int filter_errno = 0;
const volatile bool measure_latency = false;
const volatile bool count_by_process = false;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct syscall_totals);
} data SEC(".maps");

SEC("tp_btf/sys_enter")
int handle_enter(__u64 *ctx)
{
	if (!measure_latency)
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (filter_pid && (__u32)(pid_tgid >> 32) != filter_pid)
		return 0;
	__u32 tid = (__u32)pid_tgid;
	__u64 now = bpf_ktime_get_ns();
	bpf_map_update_elem(&start, &tid, &now, BPF_ANY);
	return 0;
}

SEC("tp_btf/sys_exit")
int handle_exit(__u64 *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 pid = pid_tgid >> 32, tid = (__u32)pid_tgid;
	if (filter_pid && pid != filter_pid)
		return 0;
	long ret = (long)ctx[1];
	if (filter_failed && ret >= 0)
		return 0;
	if (filter_errno && ret != -filter_errno)
		return 0;

	__u64 latency = 0;
	if (measure_latency) {
		__u64 *started = bpf_map_lookup_elem(&start, &tid);
		if (!started)
			return 0;
		latency = bpf_ktime_get_ns() - *started;
		bpf_map_delete_elem(&start, &tid);
	}

	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	long id = regs->orig_ax;
	if (id == -1)
		return 0;
	__u32 key = count_by_process ? pid : (__u32)id;
	struct syscall_totals *totals = bpf_map_lookup_elem(&data, &key);
	if (!totals) {
		struct syscall_totals zero = {};
		bpf_map_update_elem(&data, &key, &zero, BPF_NOEXIST);
		totals = bpf_map_lookup_elem(&data, &key);
		if (!totals)
			return 0;
		if (count_by_process)
			bpf_get_current_comm(totals->comm, sizeof(totals->comm));
	}
	__sync_fetch_and_add(&totals->count, 1);
	if (measure_latency)
		__sync_fetch_and_add(&totals->total_ns, latency);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
