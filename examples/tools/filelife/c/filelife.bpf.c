// SPDX-License-Identifier: GPL-2.0
// filelife's BPF half in C: the twin of ../Probes.cs (the syscall tracepoint variant), for the differential test
// and the size table. x86-64 syscall numbers and registers.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "filelife.h"

#define NR_OPEN 2
#define NR_CREAT 85
#define NR_UNLINK 87
#define NR_OPENAT 257
#define NR_UNLINKAT 263
#define O_CREAT_FLAG 0x40
#define AT_REMOVEDIR_FLAG 0x200

const volatile __u32 target_tgid = 0;

struct pending_call {
	__u64 path;
	bool unlink;
};

struct path_key {
	char path[PATH_MAX_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct pending_call);
} pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct path_key);
	__type(value, __u64);
} created SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

static __always_inline bool traced(long id)
{
	return id == NR_OPEN || id == NR_OPENAT || id == NR_CREAT || id == NR_UNLINK || id == NR_UNLINKAT;
}

SEC("tp_btf/sys_enter")
int handle_enter(__u64 *ctx)
{
	long id = (long)ctx[1];
	if (!traced(id))
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (target_tgid && (__u32)(pid_tgid >> 32) != target_tgid)
		return 0;

	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	struct pending_call call = {};
	if (id == NR_OPEN) {
		if (!((long)regs->si & O_CREAT_FLAG))
			return 0;
		call.path = regs->di;
	} else if (id == NR_OPENAT) {
		if (!((long)regs->dx & O_CREAT_FLAG))
			return 0;
		call.path = regs->si;
	} else if (id == NR_CREAT) {
		call.path = regs->di;
	} else if (id == NR_UNLINK) {
		call.path = regs->di;
		call.unlink = true;
	} else {
		if ((long)regs->dx & AT_REMOVEDIR_FLAG)
			return 0;
		call.path = regs->si;
		call.unlink = true;
	}
	__u32 tid = (__u32)pid_tgid;
	bpf_map_update_elem(&pending, &tid, &call, BPF_ANY);
	return 0;
}

SEC("tp_btf/sys_exit")
int handle_exit(__u64 *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	long id = (long)regs->orig_ax;
	if (!traced(id))
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct pending_call *call = bpf_map_lookup_elem(&pending, &tid);
	if (!call)
		return 0;
	long ret = (long)ctx[1];
	if (ret < 0) {
		bpf_map_delete_elem(&pending, &tid);
		return 0;
	}

	struct path_key key = {};
	bpf_probe_read_user_str(key.path, sizeof(key.path), (const void *)call->path);
	__u64 now = bpf_ktime_get_ns();
	if (!call->unlink) {
		bpf_map_update_elem(&created, &key, &now, BPF_NOEXIST);
		bpf_map_delete_elem(&pending, &tid);
		return 0;
	}

	__u64 *started = bpf_map_lookup_elem(&created, &key);
	if (started) {
		struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (e) {
			e->delta_ns = now - *started;
			e->tgid = (__u32)(pid_tgid >> 32);
			bpf_get_current_comm(e->task, sizeof(e->task));
			bpf_probe_read_kernel_str(e->file, sizeof(e->file), key.path);
			bpf_ringbuf_submit(e, 0);
		}
		bpf_map_delete_elem(&created, &key);
	}
	bpf_map_delete_elem(&pending, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
