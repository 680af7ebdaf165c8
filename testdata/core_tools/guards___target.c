/* Target carrier for guards.c: 'missing' and CORE_TOOLS_GONE do not exist here. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

enum core_tools_state___v2 { CORE_TOOLS_OFF = 0, CORE_TOOLS_ON = 5 };
enum core_tools_mode___v2 { CORE_TOOLS_FAST = 0, CORE_TOOLS_SLOW = 1, CORE_TOOLS_AUTO = 2 };
struct core_tools_guard___v2 { long pad; int present; enum core_tools_state___v2 state; enum core_tools_mode___v2 mode; };

SEC("raw_tracepoint/sys_enter")
int carrier(struct core_tools_guard___v2 *g)
{
	return g->present + g->state + g->mode;
}
