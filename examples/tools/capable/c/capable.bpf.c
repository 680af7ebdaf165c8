// SPDX-License-Identifier: GPL-2.0
// capable's BPF half in C: the twin of ../Probes.cs, for the differential test and the size table.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "capable.h"

#define CAP_OPT_NOAUDIT (1U << 1)
#define CAP_OPT_INSETID (1U << 2)

const volatile __u32 my_pid = 0;
const volatile __u32 target_pid = 0;
const volatile __u32 unique_type = UNQ_OFF;

struct pending_check {
	int cap;
	__u32 options;
};

struct unique_key {
	int cap;
	__u32 tgid;
	__u64 cgroupid;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, struct pending_check);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct unique_key);
	__type(value, __u64);
} seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} cap_events SEC(".maps");

static __always_inline bool traced(__u64 pid_tgid)
{
	__u32 pid = pid_tgid >> 32;
	if (pid == my_pid)
		return false;
	return !target_pid || pid == target_pid;
}

static __always_inline void emit(__u64 pid_tgid, int cap, int ret, int audit, int insetid)
{
	if (unique_type != UNQ_OFF) {
		struct unique_key key = { .cap = cap };
		if (unique_type == UNQ_CGROUP)
			key.cgroupid = bpf_get_current_cgroup_id();
		else
			key.tgid = pid_tgid >> 32;
		if (bpf_map_lookup_elem(&seen, &key))
			return;
		__u64 zero = 0;
		bpf_map_update_elem(&seen, &key, &zero, BPF_ANY);
	}
	struct cap_event *e = bpf_ringbuf_reserve(&cap_events, sizeof(*e), 0);
	if (!e)
		return;
	e->pid = pid_tgid >> 32;
	e->tid = (__u32)pid_tgid;
	e->cap = cap;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->ret = ret;
	e->audit = audit;
	e->insetid = insetid;
	bpf_get_current_comm(e->task, sizeof(e->task));
	bpf_ringbuf_submit(e, 0);
}

SEC("kprobe/cap_capable")
int BPF_KPROBE(kprobe_cap_capable, const struct cred *cred, struct user_namespace *targ_ns, int cap, unsigned int opts)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!traced(pid_tgid))
		return 0;
	struct pending_check check = { .cap = cap, .options = opts };
	bpf_map_update_elem(&start, &pid_tgid, &check, BPF_ANY);
	return 0;
}

SEC("kretprobe/cap_capable")
int BPF_KRETPROBE(kretprobe_cap_capable, int ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct pending_check *check = bpf_map_lookup_elem(&start, &pid_tgid);
	if (!check)
		return 0;
	int cap = check->cap;
	__u32 options = check->options;
	bpf_map_delete_elem(&start, &pid_tgid);
	emit(pid_tgid, cap, ret, (options & CAP_OPT_NOAUDIT) == 0, (options & CAP_OPT_INSETID) != 0);
	return 0;
}

SEC("tp_btf/cap_capable")
int tracepoint_cap_capable(__u64 *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!traced(pid_tgid))
		return 0;
	emit(pid_tgid, (int)ctx[3], (int)ctx[4], -1, -1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
