// execsnoop's user half in C (libbpf skeleton): the twin of ../Program.cs, same options and output.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "execsnoop.h"
#include "execsnoop.skel.h"

static volatile sig_atomic_t exiting;
static int timestamp;
static struct timespec started;

static void on_signal(int sig) { exiting = 1; }

static int on_event(void *ctx, void *data, size_t size)
{
	const struct exec_event *e = data;
	if (timestamp) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		printf("%-8.3f ", (now.tv_sec - started.tv_sec) + (now.tv_nsec - started.tv_nsec) / 1e9);
	}
	printf("%-16s %-7d %-7d %3d ", e->comm, e->pid, e->ppid, e->ret);
	__u32 n = e->args_size < ARGS_SIZE ? e->args_size : ARGS_SIZE;
	for (__u32 i = 0; i < n; i++) {
		char c = e->args[i];
		if (c == '\0') {
			if (i + 1 < n) putchar(' ');
		} else {
			putchar(c);
		}
	}
	putchar('\n');
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	double duration = 0;
	int opt;
	while ((opt = getopt(argc, argv, "Td:")) != -1) {
		switch (opt) {
		case 'T': timestamp = 1; break;
		case 'd': duration = strtod(optarg, NULL); break;
		default: return 2;
		}
	}
	struct execsnoop_bpf *obj = execsnoop_bpf__open_and_load();
	if (!obj || execsnoop_bpf__attach(obj)) {
		fprintf(stderr, "execsnoop: load/attach failed\n");
		execsnoop_bpf__destroy(obj);
		return 1;
	}
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(obj->maps.events), on_event, NULL, NULL);
	signal(SIGINT, on_signal);
	clock_gettime(CLOCK_REALTIME, &started);
	if (timestamp) printf("%-8s ", "TIME(s)");
	printf("%-16s %-7s %-7s %3s %s\n", "PCOMM", "PID", "PPID", "RET", "ARGS");
	fflush(stdout);
	time_t end = duration > 0 ? time(NULL) + (time_t)duration : 0;
	while (!exiting && (!end || time(NULL) < end))
		ring_buffer__poll(rb, 100);
	ring_buffer__free(rb);
	execsnoop_bpf__destroy(obj);
	return 0;
}
