// offcputime's user half in C (libbpf skeleton): the twin of ../Program.cs, same options and output, frames
// named by ../../include/trace_symbols.h.
#define _GNU_SOURCE
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "offcputime.h"
#include "offcputime.skel.h"
#include "trace_symbols.h"

static void on_signal(int sig) { }

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "state", required_argument, NULL, 1 },
		{ "stack-storage-size", required_argument, NULL, 2 },
		{ "perf-max-stack-depth", required_argument, NULL, 3 },
		{ 0 },
	};
	long pid = 0, tid = 0, state = -1;
	int user_only = 0, kernel_only = 0, storage = 1024, depth = 127, duration = 99999999, opt;
	unsigned long long min_block = 1, max_block = -1ULL;
	while ((opt = getopt_long(argc, argv, "p:t:ukm:M:", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'p': pid = strtol(optarg, NULL, 10); break;
		case 't': tid = strtol(optarg, NULL, 10); break;
		case 'u': user_only = 1; break;
		case 'k': kernel_only = 1; break;
		case 'm': min_block = strtoull(optarg, NULL, 10); break;
		case 'M': max_block = strtoull(optarg, NULL, 10); break;
		case 1: state = strtol(optarg, NULL, 10); break;
		case 2: storage = strtol(optarg, NULL, 10); break;
		case 3: depth = strtol(optarg, NULL, 10); break;
		default: return 2;
		}
	}
	if (optind < argc) duration = strtol(argv[optind], NULL, 10);
	if ((user_only && kernel_only) || min_block >= max_block) return 2;

	struct offcputime_bpf *obj = offcputime_bpf__open();
	if (!obj) return 1;
	obj->rodata->target_tgid = pid;
	obj->rodata->target_pid = tid;
	obj->rodata->user_threads_only = user_only;
	obj->rodata->kernel_threads_only = kernel_only;
	obj->rodata->state = state;
	obj->rodata->min_block_us = min_block;
	obj->rodata->max_block_us = max_block;
	bpf_map__set_value_size(obj->maps.stacks, depth * sizeof(__u64));
	bpf_map__set_max_entries(obj->maps.stacks, storage);
	if (offcputime_bpf__load(obj)) {
		fprintf(stderr, "offcputime: load failed\n");
		return 1;
	}
	struct ksyms *ksyms = ksyms_load();
	if (offcputime_bpf__attach(obj)) {
		fprintf(stderr, "offcputime: attach failed\n");
		return 1;
	}
	signal(SIGINT, on_signal);
	printf("Tracing off-CPU time (us) of ");
	if (pid) printf("PID %ld", pid);
	else if (tid) printf("TID %ld", tid);
	else printf(user_only ? "user threads" : kernel_only ? "kernel threads" : "all threads");
	printf(" by user + kernel stack");
	if (duration < 99999999) printf(" for %d secs.\n", duration);
	else printf("... Hit Ctrl-C to end.\n");
	fflush(stdout);
	sleep(duration);

	unsigned long long *ip = calloc(depth, sizeof(*ip));
	int ifd = bpf_map__fd(obj->maps.info), sfd = bpf_map__fd(obj->maps.stacks);
	struct stack_key key, next, *prev = NULL;
	while (bpf_map_get_next_key(ifd, prev, &next) == 0) {
		struct stack_value val;
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(ifd, &key, &val) || !val.delta) continue;
		memset(ip, 0, depth * sizeof(*ip));
		if (key.kernel_stack_id < 0 || bpf_map_lookup_elem(sfd, &key.kernel_stack_id, ip)) {
			fprintf(stderr, "    [Missed Kernel Stack]\n");
		} else {
			for (int i = 0; i < depth && ip[i]; i++) {
				const struct ksym *k = ksyms_find(ksyms, ip[i]);
				printf("    %s\n", k ? k->name : "unknown");
			}
		}
		if (key.user_stack_id != -1) {
			memset(ip, 0, depth * sizeof(*ip));
			if (key.user_stack_id < 0 || bpf_map_lookup_elem(sfd, &key.user_stack_id, ip)) {
				fprintf(stderr, "    [Missed User Stack]\n");
				continue;
			}
			struct usyms *u = usyms_load(key.tgid);
			if (!u) {
				fprintf(stderr, "failed to get syms\n");
			} else {
				for (int i = 0; i < depth && ip[i]; i++) {
					const char *name = usyms_find(u, ip[i]);
					printf("    %s\n", name ? name : "[unknown]");
				}
			}
		}
		printf("    %-16s %s (%u)\n", "-", val.comm, key.pid);
		printf("        %llu\n\n", (unsigned long long)val.delta);
	}
	fflush(stdout);
	offcputime_bpf__destroy(obj);
	return 0;
}
