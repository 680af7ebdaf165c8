/* raw_tp/sys_enter: records pid_tgid, a count and comm of getpid() calls made by one thread (TargetPidTgid, set before attaching). */
#include "twins.h"

struct syscall_record {
    __u64 pid_tgid;
    __u64 count;
    char comm[16];
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct syscall_record);
} GetpidRecord SEC(".maps");

__u64 TargetPidTgid;

SEC("raw_tp/sys_enter")
int PidComm(struct bpf_raw_tracepoint_args *ctx)
{
    if (ctx->args[1] != 39 /* __NR_getpid on x86-64 */)
        return 0;
    __u64 id = bpf_get_current_pid_tgid();
    if (id != TargetPidTgid)
        return 0;
    __u32 zero = 0;
    struct syscall_record *r = bpf_map_lookup_elem(&GetpidRecord, &zero);
    if (!r)
        return 0;
    r->pid_tgid = id;
    r->count += 1;
    bpf_get_current_comm(r->comm, sizeof(r->comm));
    return 0;
}
