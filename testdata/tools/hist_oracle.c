// The histogram printers of bcc's libbpf-tools (trace_helpers.c: print_log2_hist, print_linear_hist), written
// again from their published format for the differential test of BpfSharp.Linux.Tools.Histogram.
// usage: hist_oracle log2 TYPE COUNT...
//        hist_oracle linear TYPE BASE STEP COUNT...
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void stars(unsigned int val, unsigned int val_max, int width)
{
	unsigned int shown = val < val_max ? val : val_max;
	int n = shown * width / val_max; /* unsigned arithmetic, as upstream */
	for (int i = 0; i < n; i++) putchar('*');
	for (int i = n; i < width; i++) putchar(' ');
	if (val > val_max) putchar('+');
}

static void log2_hist(unsigned int *vals, int n, const char *type)
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

static void linear_hist(unsigned int *vals, int n, unsigned int base, unsigned int step, const char *type)
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

int main(int argc, char **argv)
{
	if (argc < 3) return 2;
	int linear = strcmp(argv[1], "linear") == 0;
	int first = linear ? 5 : 3;
	if (argc < first) return 2;
	int n = argc - first;
	unsigned int *vals = calloc(n ? n : 1, sizeof(*vals));
	for (int i = 0; i < n; i++) vals[i] = (unsigned int)strtoul(argv[first + i], NULL, 0);
	if (linear)
		linear_hist(vals, n, (unsigned int)strtoul(argv[3], NULL, 0), (unsigned int)strtoul(argv[4], NULL, 0), argv[2]);
	else
		log2_hist(vals, n, argv[2]);
	free(vals);
	return 0;
}
