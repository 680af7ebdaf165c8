// A process for the user-space symbolisation test: prints the run-time addresses of its own functions and of a
// libc function as "address name" lines, then waits for its stdin to close so the test can read /proc/PID/maps.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((noinline)) int bpfsharp_target_alpha(int x) { return x * 3 + 1; }
__attribute__((noinline)) int bpfsharp_target_beta(int x) { return bpfsharp_target_alpha(x) ^ 0x55; }

int main(void)
{
	printf("%p bpfsharp_target_alpha\n", (void *)bpfsharp_target_alpha);
	printf("%p bpfsharp_target_beta\n", (void *)bpfsharp_target_beta);
	printf("%p getppid\n", (void *)getppid);
	printf("%p main\n", (void *)main);
	fflush(stdout);
	char buffer[16];
	while (fread(buffer, 1, sizeof(buffer), stdin) > 0) {}
	return bpfsharp_target_beta(1) == 0;
}
