// Relocation-bearing and newer instructions: global subprograms (pseudo calls), kfuncs (__ksym), CO-RE field
// accesses (preserve_access_index), tail calls, callbacks (function pointers as ld_imm64) and inline assembly
// for may_goto and gotol (cpu v4).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct task_like {
	int pid;
	int tgid;
	struct { long vruntime; unsigned char prio; } se;
	unsigned int flags: 3, state: 5;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} jumps SEC(".maps");

extern void *bpf_rcu_read_lock(void) __ksym __weak;
extern void bpf_rcu_read_unlock(void) __ksym __weak;

__noinline int global_sub(int x)
{
	return x * 5 - 1;
}

static long visit(__u32 index, void *ctx)
{
	return index > (long)ctx;
}

SEC("tp_btf/sched_switch")
int core_reads(__u64 *ctx)
{
	struct task_like *t = (void *)ctx[1];
	long v = __builtin_preserve_access_index(t->se.vruntime);
	int pid = __builtin_preserve_access_index(t->pid);
	bpf_rcu_read_lock();
	bpf_loop(4, visit, (void *)(long)pid, 0);
	bpf_rcu_read_unlock();
	return global_sub(pid) + (int)v + t->se.prio;
}

SEC("tc")
int tail(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jumps, skb->mark & 3);
	return global_sub(skb->len);
}

#if __BPF_CPU_VERSION__ >= 4
SEC("xdp")
int new_jumps(struct xdp_md *ctx)
{
	int r = ctx->rx_queue_index;
	asm volatile("may_goto +1\n\t%[r] += 1\n\tgotol +0" : [r] "+r"(r));
	return r & 1;
}
#endif

char LICENSE[] SEC("license") = "GPL";
