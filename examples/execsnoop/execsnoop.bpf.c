// execsnoop: one ring buffer record per execve(), with bcc execsnoop's columns (PCOMM PID PPID RET ARGS).
// On entry the argument strings are copied into a per-thread scratch entry; on exit the return value, the
// (new) command name and the parent's tgid are added and the record is submitted. Raw syscall tracepoints via
// tp_btf need no tracefs.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "execsnoop.h"

#define MAX_ARGS 20
#define ARG_MAX_LEN 128
#define NR_EXECVE 59

char LICENSE[] SEC("license") = "GPL";

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, u32);
    __type(value, struct exec_event);
} pending SEC(".maps");

/* Zeroed template for new pending entries (too big for the stack). */
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, u32);
    __type(value, struct exec_event);
} scratch SEC(".maps");

/* Records the ring buffer had no room for. */
u64 dropped = 0;

SEC("tp_btf/sys_enter")
int handle_enter(u64 *ctx)
{
    struct pt_regs *regs = (struct pt_regs *)ctx[0];
    long id = (long)ctx[1];
    if (id != NR_EXECVE)
        return 0;

    u32 zero = 0;
    struct exec_event *event = bpf_map_lookup_elem(&scratch, &zero);
    if (!event)
        return 0;
    u64 pid_tgid = bpf_get_current_pid_tgid();
    u32 tid = (u32)pid_tgid;
    event->pid = pid_tgid >> 32;
    event->args_size = 0;

    const char *const *argv = (const char *const *)BPF_CORE_READ(regs, si);
    for (int i = 0; i < MAX_ARGS; i++) {
        const char *arg = 0;
        if (bpf_probe_read_user(&arg, sizeof(arg), &argv[i]) || !arg)
            break;
        unsigned int used = event->args_size;
        if (used > ARGS_SIZE - ARG_MAX_LEN)
            break;
        long n = bpf_probe_read_user_str(&event->args[used], ARG_MAX_LEN, arg);
        if (n <= 0)
            break;
        event->args_size = used + n;
    }
    bpf_map_update_elem(&pending, &tid, event, BPF_ANY);
    return 0;
}

SEC("tp_btf/sys_exit")
int handle_exit(u64 *ctx)
{
    struct pt_regs *regs = (struct pt_regs *)ctx[0];
    if (BPF_CORE_READ(regs, orig_ax) != NR_EXECVE)
        return 0;
    u32 tid = (u32)bpf_get_current_pid_tgid();
    struct exec_event *pending_event = bpf_map_lookup_elem(&pending, &tid);
    if (!pending_event)
        return 0;

    struct exec_event *event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
    if (!event) {
        __sync_fetch_and_add(&dropped, 1);
        bpf_map_delete_elem(&pending, &tid);
        return 0;
    }
    __builtin_memcpy(event, pending_event, sizeof(*event));
    event->ret = (int)ctx[1];
    bpf_get_current_comm(event->comm, sizeof(event->comm));
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    event->ppid = BPF_CORE_READ(task, real_parent, tgid);
    bpf_ringbuf_submit(event, 0);
    bpf_map_delete_elem(&pending, &tid);
    return 0;
}
