// syscount's user half in C (libbpf skeleton): the twin of ../Program.cs, same options and output. Syscall names
// come from the installed asm/unistd_64.h.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "syscount.h"
#include "syscount.skel.h"

static const char *names[1024];

static void init_names(void)
{
#define SYSCALL_NAME(nr, name) if (nr < 1024) names[nr] = name;
#include "syscall_names.h"
}

struct entry {
	__u32 key;
	struct syscall_totals value;
};

static volatile sig_atomic_t hang_on = 1;
static int latency, milliseconds, by_process;

static void on_signal(int sig) { hang_on = 0; }

static int by_count(const void *a, const void *b)
{
	__u64 x = ((const struct entry *)a)->value.count, y = ((const struct entry *)b)->value.count;
	return x > y ? -1 : !(x == y);
}

static int by_latency(const void *a, const void *b)
{
	__u64 x = ((const struct entry *)a)->value.total_ns, y = ((const struct entry *)b)->value.total_ns;
	return x > y ? -1 : !(x == y);
}

static const char *column(const struct entry *e, char *buf, size_t size)
{
	if (by_process)
		snprintf(buf, size, "%-6u %-15s", e->key, e->value.comm);
	else if (e->key < 1024 && names[e->key])
		snprintf(buf, size, "%s", names[e->key]);
	else
		snprintf(buf, size, "[unknown: %u]", e->key);
	return buf;
}

int main(int argc, char **argv)
{
	int pid = 0, interval = 0, duration = 0, top = 10, failures = 0, err_filter = 0, opt;
	while ((opt = getopt(argc, argv, "p:i:d:T:xe:LmP")) != -1) {
		switch (opt) {
		case 'p': pid = atoi(optarg); break;
		case 'i': interval = atoi(optarg); break;
		case 'd': duration = atoi(optarg); break;
		case 'T': top = atoi(optarg); break;
		case 'x': failures = 1; break;
		case 'e': err_filter = atoi(optarg); break;
		case 'L': latency = 1; break;
		case 'm': milliseconds = 1; break;
		case 'P': by_process = 1; break;
		default: return 2;
		}
	}
	init_names();
	struct syscount_bpf *obj = syscount_bpf__open();
	if (!obj) return 1;
	obj->rodata->filter_pid = pid;
	obj->rodata->filter_failed = failures;
	obj->rodata->filter_errno = err_filter;
	obj->rodata->measure_latency = latency;
	obj->rodata->count_by_process = by_process;
	if (syscount_bpf__load(obj)) { fprintf(stderr, "syscount: load failed\n"); return 1; }
	obj->links.handle_exit = bpf_program__attach(obj->progs.handle_exit);
	if (latency) obj->links.handle_enter = bpf_program__attach(obj->progs.handle_enter);
	if (!obj->links.handle_exit || (latency && !obj->links.handle_enter)) { fprintf(stderr, "syscount: attach failed\n"); return 1; }
	signal(SIGINT, on_signal);
	printf("Tracing syscalls, printing top %d... Ctrl+C to quit.\n", top);
	fflush(stdout);
	static struct entry entries[1024];
	int seconds = 0, fd = bpf_map__fd(obj->maps.data);
	while (hang_on) {
		sleep(interval ?: 1);
		if (duration) {
			seconds += interval ?: 1;
			if (seconds >= duration) hang_on = 0;
		}
		if (hang_on && !interval) continue;
		int count = 0;
		__u32 key, next, *prev = NULL;
		while (count < 1024 && bpf_map_get_next_key(fd, prev, &next) == 0) {
			entries[count].key = next;
			key = next;
			prev = &key;
			count++;
		}
		for (int i = 0; i < count; i++) {
			bpf_map_lookup_elem(fd, &entries[i].key, &entries[i].value);
			bpf_map_delete_elem(fd, &entries[i].key);
		}
		if (!count) continue;
		qsort(entries, count, sizeof(entries[0]), latency ? by_latency : by_count);
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		printf("[%02d:%02d:%02d]\n", tm.tm_hour, tm.tm_min, tm.tm_sec);
		char buf[64];
		const char *name = by_process ? "PID    COMM" : "SYSCALL";
		if (latency) printf("%-22s %8s %16s\n", name, "COUNT", milliseconds ? "TIME (ms)" : "TIME (us)");
		else printf("%-22s %8s\n", name, "COUNT");
		for (int i = 0; i < count && i < top; i++) {
			if (latency)
				printf("%-22s %8llu %16.3lf\n", column(&entries[i], buf, sizeof(buf)), entries[i].value.count,
				       entries[i].value.total_ns / (milliseconds ? 1000000.0 : 1000.0));
			else
				printf("%-22s %8llu\n", column(&entries[i], buf, sizeof(buf)), entries[i].value.count);
		}
		printf("\n");
		fflush(stdout);
	}
	syscount_bpf__destroy(obj);
	return 0;
}
