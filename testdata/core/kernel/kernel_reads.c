/* A realistic tracing program against the running kernel's vmlinux.h (generated at test time with bpftool). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";
#define SINK(x) asm volatile("" :: "r"(x))

struct task_struct___old { long state; } __attribute__((preserve_access_index));
struct xfs_inode___local { unsigned long long i_ino; } __attribute__((preserve_access_index));
struct xfs_mount___local { char *m_fsname; } __attribute__((preserve_access_index));
struct sock___old { unsigned int sk_protocol : 8; unsigned int sk_type : 16; } __attribute__((preserve_access_index));

SEC("kprobe/do_sys_openat2")
int BPF_KPROBE(trace_open, int dfd, const char *filename)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	SINK(BPF_CORE_READ(t, pid));
	SINK(BPF_CORE_READ(t, tgid));
	SINK(BPF_CORE_READ(t, real_parent, tgid));
	SINK(BPF_CORE_READ(t, group_leader, pid));
	SINK(BPF_CORE_READ(t, real_parent, real_parent, group_leader, pid));
	SINK(BPF_CORE_READ(t, mm, arg_start));
	SINK(BPF_CORE_READ(t, se.vruntime));
	SINK(BPF_CORE_READ(t, nsproxy, pid_ns_for_children, level));
	char comm[16];
	bpf_core_read_str(comm, sizeof(comm), &t->comm);
	if (bpf_core_field_exists(((struct task_struct___old *)t)->state))
		SINK(BPF_CORE_READ((struct task_struct___old *)t, state));
	else
		SINK(BPF_CORE_READ(t, __state));
	SINK(bpf_core_field_size(t->comm));
	SINK(bpf_core_field_offset(t->signal));
	SINK(bpf_core_type_size(struct task_struct));
	SINK(bpf_core_type_id_kernel(struct task_struct));
	SINK(bpf_core_type_exists(struct btrfs_inode));
	SINK(bpf_core_enum_value_exists(enum pid_type, PIDTYPE_TGID));
	SINK(bpf_core_enum_value(enum pid_type, PIDTYPE_SID));
	SINK(bpf_core_enum_value(enum bpf_func_id, BPF_FUNC_map_lookup_elem));
	return 0;
}

SEC("kprobe/vfs_read")
int BPF_KPROBE(trace_read, struct file *file)
{
	SINK(BPF_CORE_READ(file, f_path.dentry, d_name.name));
	SINK(BPF_CORE_READ(file, f_inode, i_ino));
	SINK(BPF_CORE_READ(file, f_inode, i_mode));
	SINK(BPF_CORE_READ(file, f_path.dentry, d_inode, i_sb, s_magic));
	SINK(BPF_CORE_READ(file, f_pos));
	SINK(bpf_core_field_exists(file->f_ra));
	return 0;
}

SEC("kprobe/tcp_sendmsg")
int BPF_KPROBE(trace_tcp, struct sock *sk)
{
	SINK(BPF_CORE_READ(sk, __sk_common.skc_family));
	SINK(BPF_CORE_READ(sk, __sk_common.skc_dport));
	SINK(BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr));
	if (bpf_core_field_exists(((struct sock___old *)sk)->sk_protocol) &&
	    bpf_core_field_size(((struct sock___old *)sk)->sk_protocol) == 0)
		SINK(BPF_CORE_READ_BITFIELD_PROBED((struct sock___old *)sk, sk_protocol));
	SINK(BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol));
	SINK(BPF_CORE_READ_BITFIELD_PROBED(sk, sk_type));
	SINK(BPF_CORE_READ_BITFIELD_PROBED(sk, sk_userlocks));
	return 0;
}

SEC("kprobe/__kfree_skb")
int BPF_KPROBE(trace_skb, struct sk_buff *skb)
{
	SINK(BPF_CORE_READ(skb, len));
	SINK(BPF_CORE_READ(skb, head));
	SINK(BPF_CORE_READ(skb, dev, ifindex));
	SINK(BPF_CORE_READ(skb, network_header));
	SINK(bpf_core_field_exists(skb->tstamp_type));
	SINK(BPF_CORE_READ_BITFIELD_PROBED(skb, pkt_type));
	return 0;
}

SEC("kprobe/xfs_file_read_iter")
int BPF_KPROBE(trace_xfs, struct xfs_inode___local *ip, struct xfs_mount___local *mp)
{
	SINK(BPF_CORE_READ(ip, i_ino));
	SINK(BPF_CORE_READ(mp, m_fsname));
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return prev->pid + next->tgid + next->se.vruntime + prev->mm->total_vm;
}
