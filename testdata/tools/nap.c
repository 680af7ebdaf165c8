// A process for the runqlat test: waits for a line on stdin, then sleeps 1 ms N times (argv[1]), so that it is
// woken and scheduled in a known number of times.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100;
	char line[16];
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	struct timespec ms = { 0, 1000000 };
	for (int i = 0; i < n; i++)
		nanosleep(&ms, NULL);
	return 0;
}
