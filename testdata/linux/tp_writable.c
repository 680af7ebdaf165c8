// Writable raw tracepoint programs (BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE) whose section names say where they
// attach, next to an ordinary raw_tp program on the same tracepoint. The kernel attaches a writable program only
// where it reads no more of the tracepoint's buffer (args[0]) than the tracepoint lets it write, which on sys_enter
// is nothing: these leave their context alone and count every system call of one thread (target_tid) while armed
// is set. The raw_tp program counts the
// same calls (the oracle: the same kernel events) and the getppid() ones by number. The attach parity test
// attaches them with libbpf (native/attach_all.c) and with our AttachAll, and triggers them for real.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define NR_GETPPID 110

// Set after load through the memory-mapped .bss: arming and disarming make no system call.
volatile __u32 target_tid = 0;
volatile __u32 armed = 0;

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} tpw_hits SEC(".maps");

static __always_inline void bump(__u32 slot)
{
    __u64 *hits = bpf_map_lookup_elem(&tpw_hits, &slot);
    if (hits)
        __sync_fetch_and_add(hits, 1);
}

static __always_inline int mine(void)
{
    return armed && (__u32)bpf_get_current_pid_tgid() == target_tid;
}

SEC("raw_tp.w/sys_enter")
int count_writable(void *ctx)
{
    if (mine())
        bump(0);
    return 0;
}

SEC("raw_tracepoint.w/sys_enter")
int count_writable_long(void *ctx)
{
    if (mine())
        bump(1);
    return 0;
}

// raw_tp: args[1] is the system call's number.
SEC("raw_tp/sys_enter")
int count_plain(__u64 *ctx)
{
    if (!mine())
        return 0;
    bump(2);
    if (ctx[1] == NR_GETPPID)
        bump(3);
    return 0;
}
