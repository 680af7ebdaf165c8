// Only a legacy `maps` section (struct bpf_map_def): libbpf v1.0+ refuses such an object at open.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct legacy_map_def {
    unsigned int type;
    unsigned int key_size;
    unsigned int value_size;
    unsigned int max_entries;
    unsigned int map_flags;
};

struct legacy_map_def counts SEC("maps") = {
    .type = BPF_MAP_TYPE_ARRAY,
    .key_size = 4,
    .value_size = 8,
    .max_entries = 1,
};

SEC("xdp")
int uses_legacy(struct xdp_md *ctx)
{
    return 2;
}

char LICENSE[] SEC("license") = "GPL";
