// SPDX-License-Identifier: GPL-2.0
// A minimal CO-RE program: on every getppid() it records the calling task's parent tgid, read as
// task->real_parent->tgid through BPF_CORE_READ. Each field access becomes a CO-RE relocation, so the object
// loads on any kernel whose task_struct has these fields, wherever they sit.
//
// Build: bpftool btf dump file /sys/kernel/btf/vmlinux format c > vmlinux.h
//        clang-19 -O2 -g -target bpf -I. -c task_parent.bpf.c -o task_parent.bpf.o
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} parent_tgid SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int record_parent(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 key = 0;
	__u32 tgid = BPF_CORE_READ(task, real_parent, tgid);

	bpf_map_update_elem(&parent_tgid, &key, &tgid, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
