// Runs the histogram printers of examples/tools/include/trace_hist.h (libbpf-tools' print_log2_hist and
// print_linear_hist, written again from their published format) for the differential test of
// BpfSharp.Linux.Tools.Histogram.
// usage: hist_oracle log2 TYPE COUNT...
//        hist_oracle linear TYPE BASE STEP COUNT...
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trace_hist.h"

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
