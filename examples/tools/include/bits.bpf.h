// BPF-side helpers the histogram twins share, as libbpf-tools' bits.bpf.h.
#ifndef BITS_BPF_H
#define BITS_BPF_H
#include <bpf/bpf_helpers.h>

/* floor(log2(v)) for v > 0 (0 for 0): the histogram slot of a latency, in six compares */
static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r = 0;
	if (v >= 1ULL << 32) { v >>= 32; r += 32; }
	if (v >= 1ULL << 16) { v >>= 16; r += 16; }
	if (v >= 1ULL << 8) { v >>= 8; r += 8; }
	if (v >= 1ULL << 4) { v >>= 4; r += 4; }
	if (v >= 1ULL << 2) { v >>= 2; r += 2; }
	if (v >= 1ULL << 1) r += 1;
	return r;
}

#endif
