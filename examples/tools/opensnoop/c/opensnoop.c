// opensnoop's user half in C (libbpf skeleton): the twin of ../Program.cs, same options and output.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "opensnoop.h"
#include "opensnoop.skel.h"

static volatile sig_atomic_t exiting;
static int timestamp, print_uid, extended;
static const char *name;

static void on_signal(int sig) { exiting = 1; }

static int on_event(void *ctx, void *data, size_t size)
{
	const struct open_event *e = data;
	if (name && !strstr(e->comm, name))
		return 0;
	int fd = e->ret >= 0 ? e->ret : -1, err = e->ret >= 0 ? 0 : -e->ret;
	if (timestamp) {
		char ts[32];
		time_t t = time(NULL);
		strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&t));
		printf("%-8s ", ts);
	}
	if (print_uid) printf("%-7d ", e->uid);
	printf("%-6d %-16s %3d %3d ", e->pid, e->comm, fd, err);
	if (extended) printf("%08o ", e->flags);
	printf("%s\n", e->fname);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	int failed = 0, duration = 0, opt;
	long pid = 0, tid = 0, uid = -1;
	while ((opt = getopt(argc, argv, "TUxep:t:u:d:n:")) != -1) {
		switch (opt) {
		case 'T': timestamp = 1; break;
		case 'U': print_uid = 1; break;
		case 'x': failed = 1; break;
		case 'e': extended = 1; break;
		case 'p': pid = strtol(optarg, NULL, 10); break;
		case 't': tid = strtol(optarg, NULL, 10); break;
		case 'u': uid = strtol(optarg, NULL, 10); break;
		case 'd': duration = atoi(optarg); break;
		case 'n': name = optarg; break;
		default: return 2;
		}
	}
	struct opensnoop_bpf *obj = opensnoop_bpf__open();
	if (!obj) return 1;
	obj->rodata->target_pid = pid;
	obj->rodata->target_tid = tid;
	obj->rodata->target_uid = (__u32)uid;
	obj->rodata->target_failed = failed;
	if (opensnoop_bpf__load(obj) || opensnoop_bpf__attach(obj)) {
		fprintf(stderr, "opensnoop: load/attach failed\n");
		opensnoop_bpf__destroy(obj);
		return 1;
	}
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(obj->maps.events), on_event, NULL, NULL);
	signal(SIGINT, on_signal);
	if (timestamp) printf("%-8s ", "TIME");
	if (print_uid) printf("%-7s ", "UID");
	printf("%-6s %-16s %3s %3s ", "PID", "COMM", "FD", "ERR");
	if (extended) printf("%-8s ", "FLAGS");
	printf("%s\n", "PATH");
	fflush(stdout);
	time_t end = duration ? time(NULL) + duration : 0;
	while (!exiting && (!end || time(NULL) < end))
		ring_buffer__poll(rb, 100);
	ring_buffer__free(rb);
	opensnoop_bpf__destroy(obj);
	return 0;
}
