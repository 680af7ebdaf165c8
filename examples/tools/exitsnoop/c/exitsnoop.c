// exitsnoop's user half in C (libbpf skeleton): the twin of ../Program.cs, same options and output.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "exitsnoop.h"
#include "exitsnoop.skel.h"

static volatile sig_atomic_t exiting;
static int timestamps;

static void on_signal(int sig) { exiting = 1; }

static void print_event(const struct exit_event *e)
{
	if (timestamps) {
		char ts[32];
		time_t t = time(NULL);
		strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&t));
		printf("%8s ", ts);
	}
	printf("%-16s %-7d %-7d %-7d %-7.2f ", e->comm, e->pid, e->ppid, e->tid, (e->exit_time - e->start_time) / 1e9);
	if (!e->sig) {
		if (!e->exit_code) printf("0\n");
		else printf("code %d\n", e->exit_code);
	} else {
		int sig = e->sig & 0x7f;
		if (sig) printf("signal %d (%s)", sig, strsignal(sig));
		if (e->sig & 0x80) printf(", core dumped");
		printf("\n");
	}
	fflush(stdout);
}

static int on_ring(void *ctx, void *data, size_t size) { print_event(data); return 0; }
static void on_perf(void *ctx, int cpu, void *data, __u32 size) { print_event(data); }

int main(int argc, char **argv)
{
	int failed_only = 0, threads = 0, perf = 0, opt;
	double duration = 0;
	long pid = 0;
	while ((opt = getopt(argc, argv, "txTp:d:P")) != -1) {
		switch (opt) {
		case 't': timestamps = 1; break;
		case 'x': failed_only = 1; break;
		case 'T': threads = 1; break;
		case 'p': pid = strtol(optarg, NULL, 10); break;
		case 'd': duration = strtod(optarg, NULL); break;
		case 'P': perf = 1; break;
		default: return 2;
		}
	}
	struct exitsnoop_bpf *obj = exitsnoop_bpf__open();
	if (!obj) return 1;
	obj->rodata->target_pid = pid;
	obj->rodata->trace_failed_only = failed_only;
	obj->rodata->trace_threads = threads;
	obj->rodata->use_perf_buffer = perf;
	int err = exitsnoop_bpf__load(obj);
	if (!err) err = exitsnoop_bpf__attach(obj);
	if (err) { fprintf(stderr, "exitsnoop: load/attach failed: %d\n", err); exitsnoop_bpf__destroy(obj); return 1; }
	struct ring_buffer *rb = NULL;
	struct perf_buffer *pb = NULL;
	if (perf) pb = perf_buffer__new(bpf_map__fd(obj->maps.perf_events), 16, on_perf, NULL, NULL, NULL);
	else rb = ring_buffer__new(bpf_map__fd(obj->maps.events), on_ring, NULL, NULL);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (timestamps) printf("%-8s ", "TIME(s)");
	printf("%-16s %-7s %-7s %-7s %-7s %-s\n", "PCOMM", "PID", "PPID", "TID", "AGE(s)", "EXIT_CODE");
	fflush(stdout);
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!exiting) {
		if (pb) perf_buffer__poll(pb, 100);
		else ring_buffer__poll(rb, 100);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (duration > 0 && (now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9 >= duration) break;
	}
	perf_buffer__free(pb);
	ring_buffer__free(rb);
	exitsnoop_bpf__destroy(obj);
	return 0;
}
