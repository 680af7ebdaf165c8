// SPDX-License-Identifier: GPL-2.0
// runqlat's BPF half in C: the twin of ../Probes.cs, for the differential test and the size table.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "runqlat.h"
#include "bits.bpf.h"

#define TASK_RUNNING 0

const volatile __u32 target_tgid = 0;
const volatile bool per_process = false;
const volatile bool per_thread = false;
const volatile bool milliseconds = false;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct latency_hist);
} histograms SEC(".maps");

static __always_inline void enqueue(struct task_struct *task)
{
	__u32 pid = task->pid;
	if (!pid)
		return;
	if (target_tgid && (__u32)task->tgid != target_tgid)
		return;
	__u64 now = bpf_ktime_get_ns();
	bpf_map_update_elem(&start, &pid, &now, BPF_ANY);
}

SEC("tp_btf/sched_wakeup")
int handle_wakeup(__u64 *ctx)
{
	enqueue((struct task_struct *)ctx[0]);
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int handle_wakeup_new(__u64 *ctx)
{
	enqueue((struct task_struct *)ctx[0]);
	return 0;
}

SEC("tp_btf/sched_switch")
int handle_switch(__u64 *ctx)
{
	struct task_struct *prev = (struct task_struct *)ctx[1];
	struct task_struct *next = (struct task_struct *)ctx[2];
	if (prev->__state == TASK_RUNNING)
		enqueue(prev);

	__u32 pid = next->pid;
	__u64 *started = bpf_map_lookup_elem(&start, &pid);
	if (!started)
		return 0;
	__u64 delta = bpf_ktime_get_ns() - *started;
	bpf_map_delete_elem(&start, &pid);
	delta = milliseconds ? delta / 1000000 : delta / 1000;

	__u32 key = 0;
	if (per_process)
		key = next->tgid;
	else if (per_thread)
		key = pid;
	struct latency_hist *hist = bpf_map_lookup_elem(&histograms, &key);
	if (!hist) {
		struct latency_hist zero = {};
		bpf_map_update_elem(&histograms, &key, &zero, BPF_NOEXIST);
		hist = bpf_map_lookup_elem(&histograms, &key);
		if (!hist)
			return 0;
		if (per_process || per_thread)
			bpf_probe_read_kernel_str(hist->comm, sizeof(hist->comm), next->comm);
	}
	__u32 slot = log2_u64(delta);
	if (slot >= MAX_SLOTS)
		slot = MAX_SLOTS - 1;
	__sync_fetch_and_add(&hist->slots[slot], 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
