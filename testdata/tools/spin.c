// A process the profile test controls: once a line arrives on stdin it burns CPU in hot_loop (called from
// spin_for) for the number of milliseconds given as argv[1], prints "done", then waits for stdin to close (so the
// tools can still read its maps when they print) and exits. Built with frame pointers so that the
// kernel's user stack walk sees main -> spin_for -> hot_loop.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

__attribute__((noinline)) unsigned long hot_loop(unsigned long n)
{
	volatile unsigned long x = 0;
	for (unsigned long i = 0; i < n; i++) x += i * i;
	return x;
}

__attribute__((noinline)) void spin_for(double ms)
{
	double end = now_ms() + ms;
	while (now_ms() < end) hot_loop(1000000);
}

int main(int argc, char **argv)
{
	char line[16];
	if (!fgets(line, sizeof(line), stdin)) return 1;
	spin_for(argc > 1 ? atof(argv[1]) : 1000);
	printf("done\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) { }
	return 0;
}
