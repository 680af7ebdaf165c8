// Re-emitted through BpfElfBuilder/BtfExtBuilder and compared with the clang original: programs in two sections,
// static and global subprograms, a BTF map, globals in every data section kind, CO-RE relocations.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

int counter = 7;
const volatile int scale = 2;
__u32 last_len;
static int hidden;

struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

static __attribute__((noinline)) int twice(int x)
{
	return 2 * x + hidden;
}

__attribute__((noinline)) int add_scaled(int x)
{
	return twice(x) * scale + counter;
}

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	__u32 key = 1;
	__u64 *value = bpf_map_lookup_elem(&counts, &key);
	if (value)
		__sync_fetch_and_add(value, 1);
	last_len = ctx->data_end - ctx->data;
	counter = add_scaled(last_len);
	return XDP_PASS;
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int on_getpid(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	if (bpf_core_field_exists(t->tgid) && bpf_core_type_exists(struct task_struct))
		counter += bpf_core_field_size(t->pid);
	/* a static subprogram called from another section: R_BPF_64_32 against the .text section symbol */
	return twice(counter) & 1;
}
