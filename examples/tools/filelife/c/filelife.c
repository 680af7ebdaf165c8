// filelife's user half in C (libbpf skeleton): the twin of ../Program.cs, same options and output (bcc's line
// format; the file's name without its directory, as bcc prints the dentry's name).
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "filelife.h"
#include "filelife.skel.h"

static volatile sig_atomic_t exiting;
static void on_signal(int sig) { exiting = 1; }

static int on_event(void *ctx, void *data, size_t size)
{
	const struct event *e = data;
	char ts[32];
	time_t t = time(NULL);
	strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&t));
	const char *name = strrchr(e->file, '/');
	printf("%-8s %-6d %-16s %-7.2f %s\n", ts, e->tgid, e->task, (double)e->delta_ns / 1000000000, name ? name + 1 : e->file);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	long pid = 0;
	int opt;
	while ((opt = getopt(argc, argv, "p:")) != -1) {
		switch (opt) {
		case 'p': pid = strtol(optarg, NULL, 10); break;
		default: return 2;
		}
	}
	struct filelife_bpf *obj = filelife_bpf__open();
	if (!obj) return 1;
	obj->rodata->target_tgid = pid;
	if (filelife_bpf__load(obj) || filelife_bpf__attach(obj)) {
		fprintf(stderr, "filelife: load/attach failed\n");
		filelife_bpf__destroy(obj);
		return 1;
	}
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(obj->maps.events), on_event, NULL, NULL);
	if (!rb) {
		filelife_bpf__destroy(obj);
		return 1;
	}
	signal(SIGINT, on_signal);
	printf("Tracing the lifespan of short-lived files ... Hit Ctrl-C to end.\n");
	printf("(variant without kprobes: creat/open/openat with O_CREAT and unlink/unlinkat, matched by path, from tp_btf/sys_enter and sys_exit)\n");
	printf("%-8s %-6s %-16s %-7s %s\n", "TIME", "PID", "COMM", "AGE(s)", "FILE");
	fflush(stdout);
	while (!exiting)
		ring_buffer__poll(rb, 100);
	ring_buffer__free(rb);
	filelife_bpf__destroy(obj);
	return 0;
}
