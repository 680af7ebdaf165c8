// A process the offcputime test controls: once a line arrives on stdin it sleeps argv[1] times for argv[2]
// milliseconds in clock_nanosleep (called from doze_once, called from doze), prints "done", then waits for stdin
// to close and exits; every sleep leaves the CPU through the same kernel and user stack. Built with frame pointers; libc's
// clock_nanosleep has none, so the kernel's walk reads clock_nanosleep, doze, main (doze_once's frame is skipped).
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

__attribute__((noinline)) void doze_once(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
}

__attribute__((noinline)) void doze(int times, long ms)
{
	for (int i = 0; i < times; i++) doze_once(ms);
}

int main(int argc, char **argv)
{
	char line[16];
	if (!fgets(line, sizeof(line), stdin)) return 1;
	doze(argc > 1 ? atoi(argv[1]) : 10, argc > 2 ? atol(argv[2]) : 50);
	printf("done\n");
	fflush(stdout);
	/* stay until stdin closes, so the tools can still read this process's maps when they print */
	while (fgets(line, sizeof(line), stdin)) { }
	return 0;
}
