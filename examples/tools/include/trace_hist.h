// The histogram printers of bcc's libbpf-tools (trace_helpers.c: print_log2_hist, print_linear_hist), written
// again from their published format: what the C twins print with, and the oracle HistogramTests compares
// BpfSharp.Linux.Tools.Histogram against (testdata/tools/hist_oracle.c).
#ifndef TRACE_HIST_H
#define TRACE_HIST_H
#include <stdio.h>

static inline void stars(unsigned int val, unsigned int val_max, int width)
{
	unsigned int shown = val < val_max ? val : val_max;
	int n = shown * width / val_max; /* unsigned arithmetic, as upstream */
	for (int i = 0; i < n; i++) putchar('*');
	for (int i = n; i < width; i++) putchar(' ');
	if (val > val_max) putchar('+');
}

static inline void log2_hist(unsigned int *vals, int n, const char *type)
{
	int last = -1;
	unsigned int max = 0;
	for (int i = 0; i < n; i++) {
		if (vals[i] > 0) last = i;
		if (vals[i] > max) max = vals[i];
	}
	if (last < 0) return;
	int narrow = last <= 32;
	printf("%*s%-*s : count    distribution\n", narrow ? 5 : 15, "", narrow ? 19 : 29, type);
	for (int i = 0; i <= last; i++) {
		unsigned long long low = (1ULL << (i + 1)) >> 1, high = (1ULL << (i + 1)) - 1;
		if (low == high) low -= 1;
		int width = narrow ? 10 : 20;
		printf("%*lld -> %-*lld : %-8d |", width, low, width, high, vals[i]);
		stars(vals[i], max, narrow ? 40 : 20);
		printf("|\n");
	}
}

static inline void linear_hist(unsigned int *vals, int n, unsigned int base, unsigned int step, const char *type)
{
	int first = -1, last = -1;
	unsigned int max = 0;
	for (int i = 0; i < n; i++) {
		if (vals[i] > 0) { last = i; if (first < 0) first = i; }
		if (vals[i] > max) max = vals[i];
	}
	if (last < 0) return;
	printf("     %-13s : count     distribution\n", type);
	for (int i = first; i <= last; i++) {
		if (!vals[i]) continue;
		printf("        %-10d : %-8d |", base + i * step, vals[i]);
		stars(vals[i], max, 40);
		printf("|\n");
	}
}

#endif
