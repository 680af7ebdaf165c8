// SPDX-License-Identifier: MIT
// Timing helpers shared by the native benchmark harnesses: a monotonic clock and the median of samples.
#ifndef BPFSHARP_BENCH_COMMON_H
#define BPFSHARP_BENCH_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static inline uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static inline uint64_t median(uint64_t *samples, int n)
{
	qsort(samples, (size_t)n, sizeof(*samples), cmp_u64);
	return n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
}

#endif
