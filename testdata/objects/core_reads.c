// CO-RE reads over local (vmlinux-free) types: every relocation kind clang emits.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct mm_struct { unsigned long total_vm; int map_count; } __attribute__((preserve_access_index));
struct task_struct {
	int pid;
	int tgid;
	unsigned int flags : 3, prio : 5;
	struct mm_struct *mm;
	char comm[16];
	union { int a; long b; } u;
} __attribute__((preserve_access_index));
struct task_struct___v2 { int pid; long new_field; };
enum task_state { TASK_RUNNING = 0, TASK_DEAD = 64 };
typedef struct task_struct task_t;

char LICENSE[] SEC("license") = "GPL";

SEC("kprobe/do_nanosleep")
int core_kprobe(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	int pid = BPF_CORE_READ(t, pid);
	unsigned long vm = BPF_CORE_READ(t, mm, total_vm);
	int ex = bpf_core_field_exists(t->tgid);
	int sz = bpf_core_field_size(t->comm);
	unsigned int prio = BPF_CORE_READ_BITFIELD_PROBED(t, prio);
	int te = bpf_core_type_exists(struct task_struct___v2);
	int ts = bpf_core_type_size(task_t);
	long ev = bpf_core_enum_value(enum task_state, TASK_DEAD);
	int ee = bpf_core_enum_value_exists(enum task_state, TASK_DEAD);
	__u32 id = bpf_core_type_id_kernel(struct task_struct);
	int m = bpf_core_type_matches(struct mm_struct);
	return pid + vm + ex + sz + prio + te + ts + ev + ee + id + m;
}

SEC("tp/syscalls/sys_enter_nanosleep")
int core_direct(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task_btf();
	return t->tgid + t->u.a;
}
