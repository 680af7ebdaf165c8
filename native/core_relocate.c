// SPDX-License-Identifier: MIT
// core_relocate: the C counterpart of `bpfsharp core relocate OBJ --target BTF [--log]` for whole-process timing
// (scripts/bench-cli.sh). One process: btf__parse(TARGET), open the object (btf__parse_elf for its .BTF; libelf for
// the symbol table, program instructions and .BTF.ext), then every CO-RE record in libbpf's
// bpf_object__relocate_core order: candidate search (bpf_core_add_cands, cached per local type),
// bpf_core_calc_relo_insn, bpf_core_patch_insn, all from libbpf.a.
//
//   core_relocate [--log] TARGET_BTF[:TARGET_BTF...] OBJ...
//
// Several targets and objects relocate every object against every target in the one process (each target parsed
// once): the C side of `bpfsharp core check OBJ... --target BTF...` (libbpf has no such command; this is the same
// relocation work a script would ask of libbpf, without core check's reachability analysis of poisoned
// instructions). With --log, libbpf's own debug/warn lines go to stdout through the print callback (stdio buffering as for any C
// tool writing to a file or pipe), with the "sec '...': found N CO-RE relocations" line that
// bpf_object__relocate_core prints; the text is the same as bpfsharp's --log. Without it, one summary line as
// bpfsharp prints. Exits 1 if a relocation fails.
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "core_common.h"

static int print_log(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	return vfprintf(stdout, fmt, args);
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level; (void)fmt; (void)args;
	return 0;
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "core_relocate: %s: %s\n", path, what);
	exit(1);
}

struct counts { int total, patched, poisoned, errors; };

// Opens OBJ and applies every CO-RE relocation against TARGET, as bpf_object__relocate_core orders them.
static struct counts relocate_object(const char *path, const struct btf *target, int log)
{
	struct counts c = { 0 };
	struct core_object o;
	const char *problem = open_core_object(path, &o);
	if (problem) die(problem, path);
	struct btf *local = o.local;
	const unsigned char *info = o.info, *end = o.end;
	__u32 rec_size = o.rec_size;
	int local_cnt = btf__type_cnt(local);
	struct bpf_core_cand_list **cache = calloc(local_cnt, sizeof(*cache));
	void *scratch = calloc(3, 16384);
	while (info < end && !c.errors) {
		__u32 sec_name_off = *(const __u32 *)info, num = *(const __u32 *)(info + 4);
		const char *sec_name = btf__name_by_offset(local, sec_name_off);
		info += 8;
		int sec_idx = core_section_index(&o, sec_name);
		if (log) printf("libbpf: sec '%s': found %u CO-RE relocations\n", sec_name, num);
		for (__u32 i = 0; i < num && !c.errors; i++, info += rec_size) {
			const struct bpf_core_relo *rec = (const void *)info;
			int insn_idx = rec->insn_off / 8;
			struct prog *prog = core_program_at(&o, sec_idx, insn_idx);
			c.total++;
			if (!prog) die("relocation outside every program", path);
			insn_idx -= prog->off;

			struct bpf_core_relo_res res;
			memset(&res, 0, sizeof(res));
			struct bpf_core_cand_list *cands = NULL;
			if (rec->kind != BPF_CORE_TYPE_ID_LOCAL) {
				cands = cached_candidates(cache, local, rec->type_id, target);
				if (!cands) die("candidate search failed", path);
			}
			// bpf_object__relocate_core's own warnings on failure.
			int err = bpf_core_calc_relo_insn(prog->name, rec, (int)i, local, cands, scratch, &res);
			if (err) {
				if (log) printf("libbpf: prog '%s': relo #%u: failed to relocate: %s\n", prog->name, i, errstr(err));
			} else if ((err = bpf_core_patch_insn(prog->name, prog->insns + insn_idx, insn_idx, rec, (int)i, &res))) {
				if (log)
					printf("libbpf: prog '%s': relo #%u: failed to patch insn #%d: %s\n", prog->name, i, insn_idx,
					       errstr(err));
			}
			if (err) c.errors++;
			else if (res.poison) c.poisoned++;
			else c.patched++;
		}
	}

	for (int t = 0; t < local_cnt; t++)
		if (cache[t]) { free(cache[t]->cands); free(cache[t]); }
	free(cache);
	free(scratch);
	close_core_object(&o);
	return c;
}

int main(int argc, char **argv)
{
	int log = argc > 1 && strcmp(argv[1], "--log") == 0;
	if (argc < 3 + log) {
		fprintf(stderr, "usage: core_relocate [--log] TARGET_BTF[:TARGET_BTF...] OBJ...\n");
		return 2;
	}
	libbpf_set_print(log ? print_log : quiet);
	elf_version(EV_CURRENT);
	char *targets = strdup(argv[1 + log]), *save = NULL;
	int nobjs = argc - 2 - log, failed = 0, several = nobjs > 1 || strchr(targets, ':') != NULL;
	for (char *t = strtok_r(targets, ":", &save); t; t = strtok_r(NULL, ":", &save)) {
		struct btf *target = btf__parse(t, NULL);
		if (!target) die("cannot parse target BTF", t);
		for (int o = 0; o < nobjs; o++) {
			const char *path = argv[2 + log + o];
			struct counts c = relocate_object(path, target, log);
			if (c.errors) failed = 1;
			if (log) continue;
			if (several) printf("%s %s: ", path, t);
			printf("%d relocations: %d patched, %d poisoned, %d errors, 0 skipped\n", c.total, c.patched, c.poisoned,
			       c.errors);
		}
		btf__free(target);
	}
	free(targets);
	return failed;
}
