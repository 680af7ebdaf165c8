// CO-RE reads of the current task against the running kernel's BTF.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct task_struct {
	int pid;
	int tgid;
	struct task_struct *real_parent;
	char comm[16];
	int bpfsharp_no_such_field;
} __attribute__((preserve_access_index));

int task_pid, task_tgid, parent_tgid, field_missing = -1, guarded_value = -1;
char task_comm[16];

SEC("raw_tp/sys_enter")
int read_task(void *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	task_pid = BPF_CORE_READ(t, pid);
	task_tgid = BPF_CORE_READ(t, tgid);
	parent_tgid = BPF_CORE_READ(t, real_parent, tgid);
	BPF_CORE_READ_STR_INTO(&task_comm, t, comm);
	if (bpf_core_field_exists(t->bpfsharp_no_such_field)) {
		field_missing = 0;
		guarded_value = BPF_CORE_READ(t, bpfsharp_no_such_field);
	} else {
		field_missing = 1;
	}
	return 0;
}
