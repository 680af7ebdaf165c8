// Target for the uprobe.multi tests: three probed functions called 1, 2 and 3 times per round (N rounds from
// argv[1]), and one whose name the test's pattern does not match.
#include <stdio.h>
#include <stdlib.h>

#define PROBED(name, k) \
	__attribute__((noinline)) int name(int v) { __asm__ volatile("" ::: "memory"); return v * k + 1; }

PROBED(bpfsharp_multi_one, 2)
PROBED(bpfsharp_multi_two, 3)
PROBED(bpfsharp_multi_three, 5)
PROBED(bpfsharp_other, 7)

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1, sum = 0;
	for (int i = 0; i < n; i++) {
		sum += bpfsharp_multi_one(i);
		sum += bpfsharp_multi_two(i) + bpfsharp_multi_two(i + 1);
		sum += bpfsharp_multi_three(i) + bpfsharp_multi_three(i + 1) + bpfsharp_multi_three(i + 2);
		sum += bpfsharp_other(i);
	}
	printf("rounds=%d sum=%d\n", n, sum);
	return 0;
}
