// A missing field read guarded by bpf_core_field_exists (loads) and one that is not (poisoned, reached, rejected).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct task_struct {
	int pid;
	int bpfsharp_missing_field;
} __attribute__((preserve_access_index));

int out;

SEC("raw_tp/sys_enter")
int guarded(void *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task_btf();
	if (bpf_core_field_exists(t->bpfsharp_missing_field))
		out = t->bpfsharp_missing_field;
	else
		out = t->pid;
	return 0;
}

SEC("?raw_tp/sys_enter")
int unguarded(void *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task_btf();
	out = t->bpfsharp_missing_field;
	return 0;
}
