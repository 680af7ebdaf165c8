// Target for the uprobe tests: calls bpfsharp_target_function N times (N from argv[1]).
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) int bpfsharp_target_function(int value)
{
    __asm__ volatile("" ::: "memory"); // keep the call from being folded away
    return value * 2 + 1;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1;
    int sum = 0;
    for (int i = 0; i < n; i++)
        sum += bpfsharp_target_function(i);
    printf("calls=%d sum=%d\n", n, sum);
    return 0;
}
