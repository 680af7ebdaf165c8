// A BTF tracepoint attached through BPF_LINK_CREATE (the tracing link libbpf's attach_trace makes) with an attach
// cookie: counts this process's getpid calls and records bpf_get_attach_cookie().
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";

const volatile __u32 target_tgid = 0;
__u64 getpids = 0;
__u64 seen_cookie = 0;

SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter, void *regs, long id)
{
    if (id != 39 /* __NR_getpid on x86-64 */ || bpf_get_current_pid_tgid() >> 32 != target_tgid)
        return 0;
    __sync_fetch_and_add(&getpids, 1);
    seen_cookie = bpf_get_attach_cookie(ctx);
    return 0;
}
