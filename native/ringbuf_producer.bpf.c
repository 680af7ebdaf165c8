// Producer for the ring buffer benchmark (native/ringbuf_bench.c and bench/RingBufferBenchmarks.cs): one 16-byte
// record {sequence, magic} per run, driven by BPF_PROG_TEST_RUN with a repeat count.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 1 << 22);
} records SEC(".maps");

__u64 sent = 0;
__u64 lost = 0;

struct record {
    __u64 sequence;
    __u64 magic;
};

SEC("xdp")
int produce(struct xdp_md *ctx)
{
    struct record r = { __sync_fetch_and_add(&sent, 1), 0x0B5E55EDC0FFEE00ULL };
    if (bpf_ringbuf_output(&records, &r, sizeof(r), 0))
        __sync_fetch_and_add(&lost, 1);
    return XDP_PASS;
}
