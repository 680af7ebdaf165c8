/* Twin of the C# kfunc program in tests/BpfSharp.Tests/CompilerIntegration/KfuncTests.cs: a task found by pid with
 * bpf_task_from_pid (acquired, so released), read through the trusted pointer; a weak kfunc no kernel has, called
 * only when user space sets call_absent. */
#include "twins.h"

struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

extern struct task_struct *bpf_task_from_pid(int pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern void bpf_bpfsharp_absent(void) __ksym __weak;

const volatile unsigned char call_absent = 0;
int target_pid;
long long seen_tgid;
long long seen_pid;

SEC("syscall")
int find_task(void *ctx)
{
	struct task_struct *t;

	if (call_absent)
		bpf_bpfsharp_absent();
	t = bpf_task_from_pid(target_pid);
	if (!t)
		return 1;
	seen_tgid = t->tgid;
	seen_pid = t->pid;
	bpf_task_release(t);
	return 0;
}
