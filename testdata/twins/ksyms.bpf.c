/* Twin of the C# program in tests/BpfSharp.Tests/CompilerIntegration/KsymTests.cs: kernel symbols by name, a
 * per-CPU variable found in the kernel's BTF (runqueues, reached through bpf_this_cpu_ptr and read directly) and a
 * typeless symbol (its kallsyms address). vmlinux BTF describes per-CPU variables only, and kallsyms lists data
 * symbols only with CONFIG_KALLSYMS_ALL (without it the kernel cannot load a typed ksym at all), so the typeless one
 * is a function. */
#include "twins.h"

struct rq {
	unsigned int nr_running;
} __attribute__((preserve_access_index));

extern const struct rq runqueues __ksym;
extern const void bpf_prog_put __ksym;

__u64 out_nr_running;
__u64 out_prog_put;

SEC("syscall")
int read_runqueue(void *ctx)
{
	struct rq *rq = bpf_this_cpu_ptr(&runqueues);

	out_nr_running = rq->nr_running;
	return 0;
}

SEC("syscall")
int read_symbol(void *ctx)
{
	out_prog_put = (__u64)&bpf_prog_put;
	return 0;
}
