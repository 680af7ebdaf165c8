/* CO-RE check tests: a field that the target lacks, read behind an existence check and read unguarded. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
char LICENSE[] SEC("license") = "GPL";
#define SINK(x) asm volatile("" :: "r"(x))

enum core_tools_mode { CORE_TOOLS_FAST, CORE_TOOLS_SLOW };

struct core_tools_guard {
	int present;
	int missing;
	enum core_tools_mode mode;
} __attribute__((preserve_access_index));

enum core_tools_state { CORE_TOOLS_ON = 1, CORE_TOOLS_GONE = 2 };

SEC("raw_tracepoint/sys_enter")
int guarded(void *ctx)
{
	struct core_tools_guard *g = ctx;
	SINK(BPF_CORE_READ(g, present));
	if (bpf_core_field_exists(g->missing))
		SINK(BPF_CORE_READ(g, missing));
	if (bpf_core_enum_value_exists(enum core_tools_state, CORE_TOOLS_GONE))
		SINK(bpf_core_enum_value(enum core_tools_state, CORE_TOOLS_GONE));
	return 0;
}

SEC("raw_tracepoint/sys_exit")
int unguarded(void *ctx)
{
	struct core_tools_guard *g = ctx;
	SINK(BPF_CORE_READ(g, missing));
	return 0;
}

SEC("raw_tracepoint/sched_switch")
int clean(void *ctx)
{
	struct core_tools_guard *g = ctx;
	SINK(BPF_CORE_READ(g, present));
	SINK(bpf_core_enum_value(enum core_tools_state, CORE_TOOLS_ON));
	SINK(BPF_CORE_READ(g, mode));
	return 0;
}
