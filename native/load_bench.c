// SPDX-License-Identifier: MIT
// load_bench: libbpf's side of the "Object open + load" benchmark in docs/performance.md, the native twin of
// bench/BpfSharp.Benchmarks/LoadBenchmarks.cs.
//
//   load_bench [-n ITERATIONS] LABEL=OBJ...
//
// For each object, after one untimed run, ITERATIONS times: bpf_object__open_file + bpf_object__load +
// bpf_object__close with default options (object BTF loaded into the kernel, maps created, CO-RE against
// /sys/kernel/btf/vmlinux, programs verified), timed with CLOCK_MONOTONIC. Prints, per object:
//   load_LABEL_total    median nanoseconds of the whole open + load + close
//   load_LABEL_open     median nanoseconds of bpf_object__open_file alone (pure user space: ELF + BTF parsing)
//   load_LABEL_user     mean user CPU nanoseconds per iteration (getrusage over all timed iterations)
//   load_LABEL_sys      mean system CPU nanoseconds per iteration (the verifier and the other bpf() work)
// libbpf's log callback is a no-op. Exits 1 if an object does not load.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "bench_common.h"

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level; (void)fmt; (void)args;
	return 0;
}

static uint64_t timeval_ns(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000000ull + (uint64_t)tv.tv_usec * 1000ull;
}

// One open + load + close; returns 0 on success and the open time in *open_ns.
static int load_once(const char *path, uint64_t *open_ns)
{
	uint64_t start = now_ns();
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	*open_ns = now_ns() - start;
	if (!obj)
		return -1;
	int err = bpf_object__load(obj);
	bpf_object__close(obj);
	return err;
}

int main(int argc, char **argv)
{
	int iterations = 20, opt;
	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt == 'n' && atoi(optarg) > 0) {
			iterations = atoi(optarg);
		} else {
			fprintf(stderr, "usage: load_bench [-n ITERATIONS] LABEL=OBJ...\n");
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: load_bench [-n ITERATIONS] LABEL=OBJ...\n");
		return 2;
	}
	libbpf_set_print(quiet);
	uint64_t *total = calloc((size_t)iterations, sizeof(*total));
	uint64_t *open = calloc((size_t)iterations, sizeof(*open));
	if (!total || !open)
		return 1;

	for (int arg = optind; arg < argc; arg++) {
		char label[64];
		const char *eq = strchr(argv[arg], '=');
		if (!eq || eq == argv[arg] || (size_t)(eq - argv[arg]) >= sizeof(label)) {
			fprintf(stderr, "load_bench: expected LABEL=OBJ, got %s\n", argv[arg]);
			return 2;
		}
		memcpy(label, argv[arg], (size_t)(eq - argv[arg]));
		label[eq - argv[arg]] = '\0';
		const char *path = eq + 1;

		uint64_t ignored;
		if (load_once(path, &ignored)) { // warm-up; also fills libbpf's process-wide feature-probe cache
			fprintf(stderr, "load_bench: %s: open or load failed\n", path);
			return 1;
		}
		struct rusage before, after;
		getrusage(RUSAGE_SELF, &before);
		for (int i = 0; i < iterations; i++) {
			uint64_t start = now_ns();
			if (load_once(path, &open[i])) {
				fprintf(stderr, "load_bench: %s: open or load failed\n", path);
				return 1;
			}
			total[i] = now_ns() - start;
		}
		getrusage(RUSAGE_SELF, &after);
		printf("load_%s_total %llu\n", label, (unsigned long long)median(total, iterations));
		printf("load_%s_open %llu\n", label, (unsigned long long)median(open, iterations));
		printf("load_%s_user %llu\n", label,
		       (unsigned long long)((timeval_ns(after.ru_utime) - timeval_ns(before.ru_utime)) / (uint64_t)iterations));
		printf("load_%s_sys %llu\n", label,
		       (unsigned long long)((timeval_ns(after.ru_stime) - timeval_ns(before.ru_stime)) / (uint64_t)iterations));
	}
	free(total);
	free(open);
	return 0;
}
