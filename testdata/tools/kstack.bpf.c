// For the kernel symbolisation test: on sys_enter of the syscall number in config[1], made by the process in
// config[0], store the kernel stack (bpf_get_stack) in the one-entry stacks map.
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

struct stack {
	__s64 size;
	__u64 ips[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stack);
} stacks SEC(".maps");

SEC("tp_btf/sys_enter")
int on_sys_enter(__u64 *ctx)
{
	__u32 key = 0;
	__u64 *tgid = bpf_map_lookup_elem(&config, &key);
	key = 1;
	__u64 *nr = bpf_map_lookup_elem(&config, &key);
	if (!tgid || !nr || (bpf_get_current_pid_tgid() >> 32) != *tgid || ctx[1] != *nr)
		return 0;
	key = 0;
	struct stack *s = bpf_map_lookup_elem(&stacks, &key);
	if (!s)
		return 0;
	s->size = bpf_get_stack(ctx, s->ips, sizeof(s->ips), 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
