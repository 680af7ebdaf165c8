// SPDX-License-Identifier: MIT
// core_bench: libbpf's side of the CO-RE benchmarks in docs/performance.md.
//
//   core_bench [-n ITERATIONS] TARGET_BTF LABEL=OBJ...
//
// For each object, as medians over ITERATIONS runs (after one untimed run), with libbpf's own CO-RE code from
// libbpf.a driven exactly like native/core_oracle.c drives it (libbpf's bpf_object__relocate_core order):
//   core_LABEL_cold   btf__parse(TARGET_BTF) + open the object (btf__parse_elf for its .BTF; libelf for the symbol
//                     table, the program instructions and .BTF.ext) + for every CO-RE relocation: candidate search
//                     (bpf_core_add_cands, cached per local type id), bpf_core_calc_relo_insn, bpf_core_patch_insn
//                     + freeing everything
//   core_LABEL_warm   the same without parsing the target: relocate against a target parsed once before timing
// and "core_LABEL_relocations N" (relocations applied). libbpf's log callback is a no-op (nothing is printed).
// Exits 1 if any relocation fails: the benchmark objects must relocate cleanly.
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "core_common.h"
#include "bench_common.h"



static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level; (void)fmt; (void)args;
	return 0;
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "core_bench: %s: %s\n", path, what);
	exit(1);
}

// Opens OBJ and applies every CO-RE relocation against TARGET; returns the number applied.
static int relocate_object(const char *path, const struct btf *target)
{
	struct core_object o;
	const char *problem = open_core_object(path, &o);
	if (problem) die(problem, path);
	struct btf *local = o.local;
	const unsigned char *info = o.info, *end = o.end;
	__u32 rec_size = o.rec_size;
	int local_cnt = btf__type_cnt(local), applied = 0;
	struct bpf_core_cand_list **cache = calloc(local_cnt, sizeof(*cache));
	void *scratch = calloc(3, 16384);
	while (info < end) {
		__u32 sec_name_off = *(const __u32 *)info, num = *(const __u32 *)(info + 4);
		const char *sec_name = btf__name_by_offset(local, sec_name_off);
		info += 8;
		int sec_idx = core_section_index(&o, sec_name);
		for (__u32 i = 0; i < num; i++, info += rec_size) {
			const struct bpf_core_relo *rec = (const void *)info;
			int insn_idx = rec->insn_off / 8;
			struct prog *prog = core_program_at(&o, sec_idx, insn_idx);
			if (!prog) die("relocation outside every program", path);
			insn_idx -= prog->off;

			struct bpf_core_relo_res res;
			memset(&res, 0, sizeof(res));
			struct bpf_core_cand_list *cands = NULL;
			if (rec->kind != BPF_CORE_TYPE_ID_LOCAL) {
				cands = cached_candidates(cache, local, rec->type_id, target);
				if (!cands) die("candidate search failed", path);
			}
			if (bpf_core_calc_relo_insn(prog->name, rec, (int)i, local, cands, scratch, &res) ||
			    bpf_core_patch_insn(prog->name, prog->insns + insn_idx, insn_idx, rec, (int)i, &res))
				die("a relocation failed (run native/core_oracle for details)", path);
			applied++;
		}
	}

	for (int t = 0; t < local_cnt; t++)
		if (cache[t]) { free(cache[t]->cands); free(cache[t]); }
	free(cache);
	free(scratch);
	close_core_object(&o);
	return applied;
}

static int parse_and_relocate(const char *target_path, const char *obj)
{
	struct btf *target = btf__parse(target_path, NULL);
	if (!target) die("cannot parse target BTF", target_path);
	int n = relocate_object(obj, target);
	btf__free(target);
	return n;
}

int main(int argc, char **argv)
{
	int iterations = 10, opt;
	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n' || (iterations = atoi(optarg)) < 1) {
			fprintf(stderr, "usage: core_bench [-n ITERATIONS] TARGET_BTF LABEL=OBJ...\n");
			return 2;
		}
	}
	if (argc - optind < 2) {
		fprintf(stderr, "usage: core_bench [-n ITERATIONS] TARGET_BTF LABEL=OBJ...\n");
		return 2;
	}
	libbpf_set_print(quiet);
	elf_version(EV_CURRENT);
	const char *target_path = argv[optind];
	uint64_t *samples = calloc(iterations, sizeof(*samples));
	struct btf *warm_target = btf__parse(target_path, NULL);
	if (!warm_target) die("cannot parse target BTF", target_path);

	for (int a = optind + 1; a < argc; a++) {
		char *label = strdup(argv[a]), *obj = strchr(label, '=');
		if (!obj) die("expected LABEL=OBJ", argv[a]);
		*obj++ = 0;

		int relocations = parse_and_relocate(target_path, obj);
		for (int i = 0; i < iterations; i++) {
			uint64_t t0 = now_ns();
			parse_and_relocate(target_path, obj);
			samples[i] = now_ns() - t0;
		}
		printf("core_%s_cold %llu\n", label, (unsigned long long)median(samples, iterations));

		relocate_object(obj, warm_target);
		for (int i = 0; i < iterations; i++) {
			uint64_t t0 = now_ns();
			relocate_object(obj, warm_target);
			samples[i] = now_ns() - t0;
		}
		printf("core_%s_warm %llu\n", label, (unsigned long long)median(samples, iterations));
		printf("core_%s_relocations %d\n", label, relocations);
		free(label);
	}
	btf__free(warm_target);
	free(samples);
	return 0;
}
