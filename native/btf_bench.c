// btf_bench: libbpf's side of the BTF benchmarks in docs/performance.md.
//
//   btf_bench [-n ITERATIONS] [-b BASE_BTF] FILE
//
// Times, as medians over ITERATIONS runs, with libbpf:
//   parse_file     btf__parse(FILE) (or btf__parse_split over BASE), i.e. read + parse
//   parse_memory   btf__new() over bytes already in memory (split BTF: from the file, see parse_memory())
//   find20         btf__find_by_name_kind() for 20 well-known struct names, on a parsed BTF
//   parse_find20   parse from memory, then the 20 lookups (the "first lookup" cost)
//   find_missing   one lookup of a struct name that does not exist (libbpf scans every type)
//   iterate        walk every type reading kind, name (with its length) and size
// Each measurement starts with one untimed run so allocator and page-cache state is the same for all.
// and prints one "name median_ns" line per measurement, plus "types N".
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "bench_common.h"

static const char *const well_known[20] = {
	"task_struct", "sk_buff",  "file",         "inode",      "dentry",
	"sock",        "mm_struct", "super_block", "net_device", "page",
	"cred",        "pid",       "vm_area_struct", "socket",  "bio",
	"cgroup",      "bpf_prog",  "bpf_map",     "path",       "seq_file",
};


static void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap);
	if (!f || !buf) {
		fprintf(stderr, "btf_bench: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	for (;;) {
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (len < cap)
			break;
		cap *= 2;
		buf = realloc(buf, cap);
		if (!buf) {
			fprintf(stderr, "btf_bench: out of memory\n");
			exit(1);
		}
	}
	fclose(f);
	*size = len;
	return buf;
}

static struct btf *parse_path(const char *path, struct btf *base)
{
	struct btf *btf = base ? btf__parse_split(path, base) : btf__parse(path, NULL);
	if (!btf) {
		fprintf(stderr, "btf_bench: cannot parse %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return btf;
}

// Debian's libbpf 1.1 declares btf__new_split() but does not ship it, so split BTF is parsed from the file.
static struct btf *parse_memory(const char *path, const void *data, size_t size, struct btf *base)
{
	if (base)
		return parse_path(path, base);
	struct btf *btf = btf__new(data, (__u32)size);
	if (!btf) {
		fprintf(stderr, "btf_bench: cannot parse in-memory BTF: %s\n", strerror(errno));
		exit(1);
	}
	return btf;
}

// Returns a value depending on every result so the compiler cannot drop the work.
static uint64_t find20(const struct btf *btf)
{
	uint64_t sum = 0;
	for (int i = 0; i < 20; i++) {
		int id = btf__find_by_name_kind(btf, well_known[i], BTF_KIND_STRUCT);
		if (id < 0) {
			fprintf(stderr, "btf_bench: struct %s not found\n", well_known[i]);
			exit(1);
		}
		sum += (uint64_t)id;
	}
	return sum;
}

static uint64_t iterate(const struct btf *btf)
{
	uint64_t sum = 0;
	__u32 n = btf__type_cnt(btf);
	for (__u32 id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name = btf__name_by_offset(btf, t->name_off);
		// strlen: the managed side gets the name as a span, which needs its length
		sum += btf_kind(t) + strlen(name) + t->size;
	}
	return sum;
}

int main(int argc, char **argv)
{
	int iterations = 20, opt;
	const char *base_path = NULL;
	while ((opt = getopt(argc, argv, "n:b:")) != -1) {
		switch (opt) {
		case 'n': iterations = atoi(optarg); break;
		case 'b': base_path = optarg; break;
		default:
			fprintf(stderr, "usage: btf_bench [-n ITERATIONS] [-b BASE_BTF] FILE\n");
			return 2;
		}
	}
	if (optind != argc - 1 || iterations < 1) {
		fprintf(stderr, "usage: btf_bench [-n ITERATIONS] [-b BASE_BTF] FILE\n");
		return 2;
	}
	const char *path = argv[optind];
	libbpf_set_print(NULL);

	struct btf *base = base_path ? parse_path(base_path, NULL) : NULL;
	uint64_t *samples = calloc((size_t)iterations, sizeof(uint64_t));
	volatile uint64_t sink = 0;
	size_t size;
	void *data = read_file(path, &size);

	btf__free(parse_path(path, base));
	for (int i = 0; i < iterations; i++) {
		uint64_t t0 = now_ns();
		struct btf *btf = parse_path(path, base);
		samples[i] = now_ns() - t0;
		btf__free(btf);
	}
	printf("parse_file %llu\n", (unsigned long long)median(samples, iterations));

	btf__free(parse_memory(path, data, size, base));
	for (int i = 0; i < iterations; i++) {
		uint64_t t0 = now_ns();
		struct btf *btf = parse_memory(path, data, size, base);
		samples[i] = now_ns() - t0;
		btf__free(btf);
	}
	printf("parse_memory %llu\n", (unsigned long long)median(samples, iterations));

	for (int i = 0; i < iterations; i++) {
		uint64_t t0 = now_ns();
		struct btf *btf = parse_memory(path, data, size, base);
		sink += find20(btf);
		samples[i] = now_ns() - t0;
		btf__free(btf);
	}
	printf("parse_find20 %llu\n", (unsigned long long)median(samples, iterations));

	struct btf *btf = parse_memory(path, data, size, base);
	sink += find20(btf);
	for (int i = 0; i < iterations; i++) {
		uint64_t t0 = now_ns();
		sink += find20(btf);
		samples[i] = now_ns() - t0;
	}
	printf("find20 %llu\n", (unsigned long long)median(samples, iterations));

	for (int i = 0; i < iterations; i++) {
		uint64_t t0 = now_ns();
		sink += (uint64_t)btf__find_by_name_kind(btf, "no_such_struct_anywhere", BTF_KIND_STRUCT);
		samples[i] = now_ns() - t0;
	}
	printf("find_missing %llu\n", (unsigned long long)median(samples, iterations));

	sink += iterate(btf);
	for (int i = 0; i < iterations; i++) {
		uint64_t t0 = now_ns();
		sink += iterate(btf);
		samples[i] = now_ns() - t0;
	}
	printf("iterate %llu\n", (unsigned long long)median(samples, iterations));
	printf("types %u\n", btf__type_cnt(btf) - 1);
	printf("file_bytes %zu\n", size);

	btf__free(btf);
	btf__free(base);
	free(data);
	free(samples);
	return sink == 42 ? 3 : 0; // never 42 in practice; keeps the sink observable
}
