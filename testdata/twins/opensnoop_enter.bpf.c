/* tracepoint/syscalls/sys_enter_openat, as opensnoop writes it: filters on rodata, then stores the filename
 * pointer and the flags (args[1], args[2] of the tracepoint record) under the thread id. */
#include "twins.h"

struct syscall_trace_enter {
    unsigned short type;
    unsigned char flags;
    unsigned char preempt_count;
    int pid;
    int nr;
    unsigned long args[6];
};

struct open_args {
    __u64 fname;
    int flags;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 10240);
    __type(key, __u32);
    __type(value, struct open_args);
} OpenStart SEC(".maps");

const volatile int OpenTargetTgid = 0;
const volatile int OpenTargetPid = 0;
const volatile __u32 OpenTargetUid = (__u32)-1;

static __always_inline int trace_allowed(__u32 tgid, __u32 pid)
{
    if (OpenTargetTgid && OpenTargetTgid != tgid)
        return 0;
    if (OpenTargetPid && OpenTargetPid != pid)
        return 0;
    if (OpenTargetUid != (__u32)-1 && OpenTargetUid != (__u32)bpf_get_current_uid_gid())
        return 0;
    return 1;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int OpenSnoopEnter(struct syscall_trace_enter *ctx)
{
    __u64 id = bpf_get_current_pid_tgid();
    __u32 tgid = id >> 32;
    __u32 pid = id;
    if (trace_allowed(tgid, pid)) {
        struct open_args args = {};
        args.fname = ctx->args[1];
        args.flags = (int)ctx->args[2];
        bpf_map_update_elem(&OpenStart, &pid, &args, 0);
    }
    return 0;
}
