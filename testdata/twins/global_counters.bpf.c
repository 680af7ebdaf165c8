/* Counters in global variables: .bss (zero-initialised) and .data (initialised). */
#include "twins.h"

__u64 GlobalPackets;
__u64 GlobalBytes;
__u32 GlobalLargest;
__u32 GlobalGeneration = 7;

SEC("xdp")
int GlobalCounters(struct xdp_md *ctx)
{
    __u32 len = ctx->data_end - ctx->data;
    GlobalPackets++;
    GlobalBytes += len;
    if (len > GlobalLargest)
        GlobalLargest = len;
    GlobalGeneration += 2;
    return XDP_PASS;
}
