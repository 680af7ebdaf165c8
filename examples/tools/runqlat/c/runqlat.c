// runqlat's user half in C (libbpf skeleton): the twin of ../Program.cs, same options and output; the histogram
// is printed by ../../include/trace_hist.h, with the printf formats of libbpf-tools' print_log2_hist.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "runqlat.h"
#include "runqlat.skel.h"
#include "trace_hist.h"

static volatile sig_atomic_t exiting;
static void on_signal(int sig) { exiting = 1; }

int main(int argc, char **argv)
{
	int timestamp = 0, ms = 0, per_process = 0, per_thread = 0, opt;
	long pid = 0, interval = 99999999, times = 99999999;
	while ((opt = getopt(argc, argv, "TmPLp:")) != -1) {
		switch (opt) {
		case 'T': timestamp = 1; break;
		case 'm': ms = 1; break;
		case 'P': per_process = 1; break;
		case 'L': per_thread = 1; break;
		case 'p': pid = strtol(optarg, NULL, 10); break;
		default: return 2;
		}
	}
	if (optind < argc) interval = strtol(argv[optind++], NULL, 10);
	if (optind < argc) times = strtol(argv[optind++], NULL, 10);
	struct runqlat_bpf *obj = runqlat_bpf__open();
	if (!obj) return 1;
	obj->rodata->target_tgid = pid;
	obj->rodata->per_process = per_process;
	obj->rodata->per_thread = per_thread;
	obj->rodata->milliseconds = ms;
	if (runqlat_bpf__load(obj) || runqlat_bpf__attach(obj)) {
		fprintf(stderr, "runqlat: load/attach failed\n");
		runqlat_bpf__destroy(obj);
		return 1;
	}
	signal(SIGINT, on_signal);
	printf("Tracing run queue latency... Hit Ctrl-C to end.\n");
	fflush(stdout);
	int fd = bpf_map__fd(obj->maps.histograms);
	while (1) {
		sleep(interval);
		printf("\n");
		if (timestamp) {
			char ts[32];
			time_t t = time(NULL);
			strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&t));
			printf("%-8s\n", ts);
		}
		__u32 key, next, *prev = NULL;
		while (bpf_map_get_next_key(fd, prev, &next) == 0) {
			struct latency_hist hist;
			key = next;
			prev = &key;
			if (bpf_map_lookup_elem(fd, &key, &hist)) continue;
			if (per_process) printf("\npid = %u %s\n", key, hist.comm);
			else if (per_thread) printf("\ntid = %u %s\n", key, hist.comm);
			log2_hist(hist.slots, MAX_SLOTS, ms ? "msecs" : "usecs");
		}
		/* clear after printing, as bcc does */
		prev = NULL;
		while (bpf_map_get_next_key(fd, NULL, &next) == 0) bpf_map_delete_elem(fd, &next);
		fflush(stdout);
		if (exiting || --times == 0) break;
	}
	runqlat_bpf__destroy(obj);
	return 0;
}
