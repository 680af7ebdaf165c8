// profile's user half in C (libbpf skeleton): the twin of ../Program.cs, same options and output (bcc's
// multi-line and folded formats), frames named by ../../include/trace_symbols.h.
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "profile.h"
#include "profile.skel.h"
#include "trace_symbols.h"

#define MAX_IDS 64
#define MAX_CPUS 1024

static struct {
	__u32 pids[MAX_IDS], tids[MAX_IDS];
	int nr_pids, nr_tids;
	int user_only, kernel_only, delimiter, include_idle, folded;
	int storage, depth, freq, cpu, duration;
} env = { .storage = 1024, .depth = 127, .freq = 49, .cpu = -1, .duration = INT_MAX };

static void on_signal(int sig) { }

static int parse_list(char *text, __u32 *ids, int *n)
{
	for (char *p = strtok(text, ","); p; p = strtok(NULL, ",")) {
		if (*n >= MAX_IDS) return -1;
		ids[(*n)++] = strtoul(p, NULL, 10);
	}
	return 0;
}

struct count { struct stack_key key; __u64 value; };

static int by_count(const void *a, const void *b)
{
	__u64 x = ((const struct count *)a)->value, y = ((const struct count *)b)->value;
	return x < y ? 1 : x > y ? -1 : 0;
}

static struct ksyms *ksyms;
static unsigned long long *frames;

static const char *kname(unsigned long long ip)
{
	const struct ksym *k = ksyms_find(ksyms, ip);
	return k ? k->name : "[unknown]";
}

static void print_frames(const struct usyms *u, int folded, const char *prefix, const char *suffix)
{
	if (!folded) {
		for (int i = 0; i < env.depth && frames[i]; i++) {
			const char *name = u ? usyms_find(u, frames[i]) : kname(frames[i]);
			printf("%s%s%s", prefix, name ? name : "[unknown]", suffix);
		}
		return;
	}
	for (int i = env.depth - 1; i >= 0; i--) {
		if (!frames[i]) continue;
		const char *name = u ? usyms_find(u, frames[i]) : kname(frames[i]);
		printf("%s%s%s", prefix, name ? name : "[unknown]", suffix);
	}
}

static int lookup(int fd, int id)
{
	memset(frames, 0, env.depth * sizeof(*frames));
	return id >= 0 && bpf_map_lookup_elem(fd, &id, frames) == 0;
}

static int print_kernel(int fd, const struct stack_key *k, int delimit)
{
	const char *prefix = env.folded ? ";" : "    ", *suffix = env.folded ? "" : "\n";
	if (env.user_only || k->kernel_stack_id == -EFAULT) return 0;
	if (delimit) printf("%s%s%s", prefix, env.folded ? "-" : "--", suffix);
	if (!lookup(fd, k->kernel_stack_id)) printf("%s[Missed Kernel Stack]%s", prefix, suffix);
	else print_frames(NULL, env.folded, prefix, suffix);
	return 1;
}

static int print_user(int fd, const struct stack_key *k, int delimit)
{
	const char *prefix = env.folded ? ";" : "    ", *suffix = env.folded ? "" : "\n";
	if (env.kernel_only || k->user_stack_id == -EFAULT) return 0;
	if (delimit) printf("%s%s%s", prefix, env.folded ? "-" : "--", suffix);
	if (!lookup(fd, k->user_stack_id)) {
		printf("%s[Missed User Stack]%s", prefix, suffix);
		return 1;
	}
	struct usyms *u = usyms_load(k->pid);
	if (u) print_frames(u, env.folded, prefix, suffix);
	else if (!env.folded) fprintf(stderr, "failed to get syms\n");
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "stack-storage-size", required_argument, NULL, 1 },
		{ "perf-max-stack-depth", required_argument, NULL, 2 },
		{ 0 },
	};
	int opt;
	while ((opt = getopt_long(argc, argv, "p:L:UKF:dIfC:", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'p': if (parse_list(optarg, env.pids, &env.nr_pids)) return 2; break;
		case 'L': if (parse_list(optarg, env.tids, &env.nr_tids)) return 2; break;
		case 'U': env.user_only = 1; break;
		case 'K': env.kernel_only = 1; break;
		case 'F': env.freq = strtol(optarg, NULL, 10); break;
		case 'd': env.delimiter = 1; break;
		case 'I': env.include_idle = 1; break;
		case 'f': env.folded = 1; break;
		case 'C': env.cpu = strtol(optarg, NULL, 10); break;
		case 1: env.storage = strtol(optarg, NULL, 10); break;
		case 2: env.depth = strtol(optarg, NULL, 10); break;
		default: return 2;
		}
	}
	if (optind < argc) env.duration = strtol(argv[optind], NULL, 10);
	if (env.user_only && env.kernel_only) return 2;

	struct profile_bpf *obj = profile_bpf__open();
	if (!obj) return 1;
	obj->rodata->user_stacks_only = env.user_only;
	obj->rodata->kernel_stacks_only = env.kernel_only;
	obj->rodata->include_idle = env.include_idle;
	obj->rodata->filter_by_pid = env.nr_pids > 0;
	obj->rodata->filter_by_tid = !env.nr_pids && env.nr_tids > 0;
	bpf_map__set_value_size(obj->maps.stacks, env.depth * sizeof(__u64));
	bpf_map__set_max_entries(obj->maps.stacks, env.storage);
	if (profile_bpf__load(obj)) {
		fprintf(stderr, "profile: load failed\n");
		return 1;
	}
	__u8 zero = 0;
	for (int i = 0; i < env.nr_pids; i++) bpf_map_update_elem(bpf_map__fd(obj->maps.pids), &env.pids[i], &zero, BPF_ANY);
	for (int i = 0; i < env.nr_tids; i++) bpf_map_update_elem(bpf_map__fd(obj->maps.tids), &env.tids[i], &zero, BPF_ANY);
	ksyms = ksyms_load();
	frames = calloc(env.depth, sizeof(*frames));

	static struct bpf_link *links[MAX_CPUS];
	int nr_cpus = libbpf_num_possible_cpus();
	for (int cpu = 0; cpu < nr_cpus && cpu < MAX_CPUS; cpu++) {
		if (env.cpu != -1 && env.cpu != cpu) continue;
		struct perf_event_attr attr = {
			.type = PERF_TYPE_SOFTWARE, .config = PERF_COUNT_SW_CPU_CLOCK, .size = sizeof(attr),
			.freq = 1, .sample_freq = env.freq,
		};
		int fd = syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd < 0) {
			if (errno == ENODEV) continue; /* offline */
			fprintf(stderr, "profile: perf_event_open on CPU %d: %s\n", cpu, strerror(errno));
			return 1;
		}
		links[cpu] = bpf_program__attach_perf_event(obj->progs.sample, fd);
		if (!links[cpu]) {
			fprintf(stderr, "profile: attach on CPU %d failed\n", cpu);
			return 1;
		}
	}
	signal(SIGINT, on_signal);

	printf("Sampling at %d Hertz of", env.freq);
	if (env.nr_pids) {
		printf(" PID [");
		for (int i = 0; i < env.nr_pids; i++) printf("%u%s", env.pids[i], i + 1 < env.nr_pids ? ", " : "]");
	} else if (env.nr_tids) {
		printf(" TID [");
		for (int i = 0; i < env.nr_tids; i++) printf("%u%s", env.tids[i], i + 1 < env.nr_tids ? ", " : "]");
	} else {
		printf(" all threads");
	}
	printf(env.user_only ? " by user" : env.kernel_only ? " by kernel" : " by user + kernel");
	if (env.cpu != -1) printf(" on CPU#%d", env.cpu);
	if (env.duration < INT_MAX) printf(" for %d secs.\n", env.duration);
	else printf("... Hit Ctrl-C to end.\n");
	fflush(stdout);
	sleep(env.duration);

	int counts_fd = bpf_map__fd(obj->maps.counts), stacks_fd = bpf_map__fd(obj->maps.stacks);
	struct count *items = calloc(10240, sizeof(*items));
	int n = 0;
	struct stack_key key, *prev = NULL;
	while (n < 10240 && bpf_map_get_next_key(counts_fd, prev, &items[n].key) == 0) {
		key = items[n].key;
		prev = &key;
		if (bpf_map_lookup_elem(counts_fd, &items[n].key, &items[n].value) || !items[n].value) continue;
		n++;
	}
	qsort(items, n, sizeof(*items), by_count);
	size_t missing = 0;
	int collision = 0;
	for (int i = 0; i < n; i++) {
		const struct stack_key *k = &items[i].key;
		if (!env.folded) {
			int printed = print_kernel(stacks_fd, k, 0);
			print_user(stacks_fd, k, printed && env.delimiter);
			printf("    %-16s %s (%u)\n", "-", k->name, k->pid);
			printf("        %llu\n\n", (unsigned long long)items[i].value);
		} else {
			printf("%s", k->name);
			int printed = print_user(stacks_fd, k, 0);
			print_kernel(stacks_fd, k, printed && env.delimiter);
			printf(" %llu\n", (unsigned long long)items[i].value);
		}
		missing += (!env.user_only && k->kernel_stack_id < 0 && k->kernel_stack_id != -EFAULT)
			+ (!env.kernel_only && k->user_stack_id < 0 && k->user_stack_id != -EFAULT);
		collision = k->kernel_stack_id == -EEXIST || k->user_stack_id == -EEXIST;
	}
	if (missing)
		fprintf(stderr, "WARNING: %zu stack traces could not be displayed.%s\n", missing,
			collision ? " Consider increasing --stack-storage-size." : "");
	fflush(stdout);
	for (int cpu = 0; cpu < MAX_CPUS; cpu++)
		if (links[cpu]) bpf_link__destroy(links[cpu]);
	profile_bpf__destroy(obj);
	return 0;
}
