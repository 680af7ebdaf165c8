// Tracepoint programs whose section names say where they attach: tp_btf and raw_tp on sys_enter, each counting
// the getppid() calls of one thread (target_tid, set before load). The attach parity test attaches them with
// libbpf (native/attach_all.c) and with our SectionAttach under strace, and triggers them for real.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define NR_GETPPID 110

volatile const __u32 target_tid = 0;

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} tp_attach_hits SEC(".maps");

static __always_inline int count(__u32 slot, long id)
{
    if (id != NR_GETPPID || (__u32)bpf_get_current_pid_tgid() != target_tid)
        return 0;
    __u64 *hits = bpf_map_lookup_elem(&tp_attach_hits, &slot);
    if (hits)
        __sync_fetch_and_add(hits, 1);
    return 0;
}

// tp_btf: the arguments are the tracepoint's (struct pt_regs *regs, long id).
SEC("tp_btf/sys_enter")
int on_enter_btf(__u64 *ctx) { return count(0, (long)ctx[1]); }

// raw_tp: the same arguments, untyped.
SEC("raw_tp/sys_enter")
int on_enter_raw(__u64 *ctx) { return count(1, (long)ctx[1]); }
