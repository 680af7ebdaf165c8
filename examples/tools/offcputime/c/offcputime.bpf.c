// SPDX-License-Identifier: GPL-2.0
// offcputime's BPF half in C: the twin of ../Probes.cs, for the differential test and the size table.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "offcputime.h"

#define PF_KTHREAD 0x00200000

const volatile bool kernel_threads_only = false;
const volatile bool user_threads_only = false;
const volatile __u64 max_block_us = -1;
const volatile __u64 min_block_us = 1;
const volatile __u32 target_tgid = 0;
const volatile __u32 target_pid = 0;
const volatile long state = -1;

struct switched_out {
	__u64 start_ns;
	struct stack_key key;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct switched_out);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1024);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 127 * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct stack_key);
	__type(value, struct stack_value);
} info SEC(".maps");

static __always_inline bool allowed(struct task_struct *t)
{
	if (target_tgid && (__u32)t->tgid != target_tgid)
		return false;
	if (target_pid && (__u32)t->pid != target_pid)
		return false;
	if (user_threads_only && (t->flags & PF_KTHREAD))
		return false;
	if (kernel_threads_only && !(t->flags & PF_KTHREAD))
		return false;
	if (state != -1 && t->__state != (__u64)state)
		return false;
	return true;
}

SEC("tp_btf/sched_switch")
int handle_switch(__u64 *ctx)
{
	struct task_struct *prev = (struct task_struct *)ctx[1];
	struct task_struct *next = (struct task_struct *)ctx[2];
	if (allowed(prev)) {
		__u32 pid = prev->pid;
		/* the idle threads of all CPUs are pid 0: tell them apart by CPU */
		if (!pid)
			pid = bpf_get_smp_processor_id();
		struct switched_out o = {};
		o.key.pid = pid;
		o.key.tgid = prev->tgid;
		o.start_ns = bpf_ktime_get_ns();
		o.key.user_stack_id = (prev->flags & PF_KTHREAD) ? -1 : (__s32)bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
		o.key.kernel_stack_id = (__s32)bpf_get_stackid(ctx, &stacks, 0);
		bpf_map_update_elem(&start, &pid, &o, BPF_ANY);
		struct stack_value value = {};
		bpf_probe_read_kernel_str(value.comm, sizeof(value.comm), prev->comm);
		bpf_map_update_elem(&info, &o.key, &value, BPF_NOEXIST);
	}

	__u32 next_pid = next->pid;
	struct switched_out *switched = bpf_map_lookup_elem(&start, &next_pid);
	if (!switched)
		return 0;
	__s64 delta = (__s64)(bpf_ktime_get_ns() - switched->start_ns);
	if (delta >= 0) {
		__u64 us = (__u64)delta / 1000;
		if (us >= min_block_us && us <= max_block_us) {
			struct stack_value *total = bpf_map_lookup_elem(&info, &switched->key);
			if (total)
				__sync_fetch_and_add(&total->delta, us);
		}
	}
	bpf_map_delete_elem(&start, &next_pid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
