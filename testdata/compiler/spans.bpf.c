// C twin of SpanTests' CompareName (tests/BpfSharp.Tests/CompilerSpans): bpf_strncmp of a map value's 16 bytes with
// the constant "bash", which clang places NUL-terminated in a read-only string section.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct SpanName { unsigned char Bytes[16]; };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, unsigned int);
	__type(value, struct SpanName);
} SpanNames SEC(".maps");

SEC("xdp") int CompareName(void *ctx)
{
	unsigned int zero = 0;
	struct SpanName *name = bpf_map_lookup_elem(&SpanNames, &zero);
	if (!name)
		return -1;
	return bpf_strncmp((const char *)name->Bytes, sizeof(name->Bytes), "bash") == 0 ? 1 : 2;
}

char LICENSE[] SEC("license") = "GPL";
