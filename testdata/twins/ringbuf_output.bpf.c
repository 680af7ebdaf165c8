/* Ring buffer producer with bpf_ringbuf_output: a struct built on the stack is copied into the buffer. */
#include "twins.h"

struct size_event {
    __u32 length;
    __u32 bucket;
    __u64 sequence;
};

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 64 * 1024);
} SizeEvents SEC(".maps");

__u64 SizeSequence;

SEC("xdp")
int RingbufOutput(struct xdp_md *ctx)
{
    struct size_event e = {};
    e.length = ctx->data_end - ctx->data;
    e.bucket = e.length >> 6;
    e.sequence = ++SizeSequence;
    bpf_ringbuf_output(&SizeEvents, &e, sizeof(e), 0);
    return XDP_PASS;
}
