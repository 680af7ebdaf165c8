// SPDX-License-Identifier: MIT
// Differential oracle for the BpfSharp CO-RE engine: runs libbpf's own CO-RE decision code (bpf_core_add_cands,
// bpf_core_calc_relo_insn, bpf_core_patch_insn from libbpf.a) over an object's .BTF.ext CO-RE records, driven the way
// libbpf's bpf_object__relocate_core drives them, without a kernel.
//
// usage: core_oracle OBJ.o TARGET... where TARGET is NAME=PATH (raw BTF or ELF with .BTF) or NAME=PATH@BASE (split BTF,
//        e.g. a module over vmlinux). The first target plays vmlinux; the others are searched only when it has no
//        candidate (libbpf's module rule).
// output (stdout): libbpf's debug/warn lines verbatim ("libbpf: ..."), plus per relocation
//   ORACLE sec=<s> relo=<i> prog=<p> insn=<n> err=<e> poison=<0|1> validate=<0|1> memsz_fail=<0|1> orig=<u64> new=<u64>
//          orig_sz=<u> new_sz=<u> patch_err=<e> insn0=<16 hex> insn1=<16 hex or ->
//   ORACLE prog=<name> insns=<hex of every slot after relocation>
//   ORACLE result=<errno>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "core_common.h"

struct target { const char *name; struct btf *btf; };

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	return vfprintf(stdout, fmt, args);
}

static void hex_insn(char *out, const struct bpf_insn *insn)
{
	const unsigned char *b = (const unsigned char *)insn;
	for (int i = 0; i < 8; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s OBJ.o NAME=PATH[@BASE]...\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(print_fn);

	int ntargets = argc - 2;
	struct target *targets = calloc(ntargets, sizeof(*targets));
	for (int i = 0; i < ntargets; i++) {
		char *spec = strdup(argv[i + 2]);
		char *eq = strchr(spec, '=');
		if (!eq) { fprintf(stderr, "bad target %s\n", spec); return 2; }
		*eq = 0;
		targets[i].name = spec;
		char *path = eq + 1, *at = strchr(path, '@');
		struct btf *base = NULL;
		if (at) {
			*at = 0;
			base = btf__parse(at + 1, NULL);
			if (!base) { fprintf(stderr, "cannot parse base %s\n", at + 1); return 2; }
		}
		targets[i].btf = base ? btf__parse_split(path, base) : btf__parse(path, NULL);
		if (!targets[i].btf) { fprintf(stderr, "cannot parse target %s\n", path); return 2; }
	}

	struct btf *local = btf__parse_elf(argv[1], NULL);
	if (!local) { fprintf(stderr, "cannot parse .BTF of %s\n", argv[1]); return 2; }

	elf_version(EV_CURRENT);
	int fd = open(argv[1], O_RDONLY);
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	size_t shstrndx;
	elf_getshdrstrndx(elf, &shstrndx);

	Elf_Data *ext = NULL, *symtab = NULL;
	int strtab_idx = 0;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		gelf_getshdr(scn, &sh);
		const char *name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (strcmp(name, ".BTF.ext") == 0) ext = elf_getdata(scn, NULL);
		if (sh.sh_type == SHT_SYMTAB) { symtab = elf_getdata(scn, NULL); strtab_idx = sh.sh_link; }
	}
	if (!ext || !symtab) { printf("ORACLE result=0\n"); return 0; }

	// Programs: every FUNC symbol in an executable section (libbpf's bpf_object__add_programs).
	int nprogs = 0;
	struct prog *progs = collect_programs(elf, symtab, strtab_idx, shstrndx, &nprogs);

	const unsigned char *data = ext->d_buf;
	__u32 hdr_len = *(const __u32 *)(data + 4);
	if (hdr_len < 32) { printf("ORACLE result=0\n"); return 0; }
	__u32 core_off = *(const __u32 *)(data + 24), core_len = *(const __u32 *)(data + 28);
	if (core_len == 0) { printf("ORACLE result=0\n"); return 0; }
	const unsigned char *info = data + hdr_len + core_off, *end = info + core_len;
	__u32 rec_size = *(const __u32 *)info;
	info += 4;

	int local_cnt = btf__type_cnt(local);
	struct bpf_core_cand_list **cache = calloc(local_cnt, sizeof(*cache));
	void *scratch = calloc(3, 16384);
	int result = 0;

	while (info < end && result == 0) {
		__u32 sec_name_off = *(const __u32 *)info, num = *(const __u32 *)(info + 4);
		const char *sec_name = btf__name_by_offset(local, sec_name_off);
		info += 8;
		if (!sec_name || !*sec_name) { result = -EINVAL; break; }
		// the ELF section index with this name
		int sec_idx = -1;
		scn = NULL;
		while ((scn = elf_nextscn(elf, scn))) {
			GElf_Shdr sh;
			gelf_getshdr(scn, &sh);
			if (strcmp(elf_strptr(elf, shstrndx, sh.sh_name), sec_name) == 0) { sec_idx = elf_ndxscn(scn); break; }
		}
		printf("libbpf: sec '%s': found %d CO-RE relocations\n", sec_name, num);
		for (__u32 i = 0; i < num; i++, info += rec_size) {
			const struct bpf_core_relo *rec = (const void *)info;
			if (rec->insn_off % 8) { result = -EINVAL; break; }
			int insn_idx = rec->insn_off / 8;
			struct prog *prog = NULL;
			for (int p = 0; p < nprogs; p++)
				if (progs[p].sec_idx == sec_idx && insn_idx >= progs[p].off && insn_idx < progs[p].off + progs[p].cnt)
					prog = &progs[p];
			if (!prog) {
				printf("libbpf: sec '%s': skipping CO-RE relocation #%d for insn #%d belonging to eliminated weak subprogram\n",
				       sec_name, i, insn_idx);
				continue;
			}
			if (!prog->autoload) continue;
			insn_idx -= prog->off;

			// bpf_core_resolve_relo
			struct bpf_core_relo_res res;
			memset(&res, 0, sizeof(res));
			int err = 0;
			struct bpf_core_cand_list *cands = NULL;
			const struct btf_type *lt = btf__type_by_id(local, rec->type_id);
			if (!lt) err = -EINVAL;
			if (!err && rec->kind != BPF_CORE_TYPE_ID_LOCAL) {
				cands = cache[rec->type_id];
				if (!cands) {
					const char *lname = btf__name_by_offset(local, lt->name_off);
					if (!lname || !*lname) {
						err = -EINVAL;
					} else {
						struct bpf_core_cand local_cand = { local, rec->type_id };
						size_t len = bpf_core_essential_name_len(lname);
						cands = calloc(1, sizeof(*cands));
						err = bpf_core_add_cands(&local_cand, len, targets[0].btf, targets[0].name, 1, cands);
						for (int t = 1; !err && cands->len == 0 && t < ntargets; t++) {
							for (int t2 = t; !err && t2 < ntargets; t2++)
								err = bpf_core_add_cands(&local_cand, len, targets[t2].btf, targets[t2].name,
											 btf__type_cnt(targets[0].btf), cands);
							break;
						}
					}
					if (err) {
						static const char *kinds[] = { "void", "int", "ptr", "array", "struct", "union", "enum", "fwd",
							"typedef", "volatile", "const", "restrict", "func", "func_proto", "var", "datasec",
							"float", "decl_tag", "type_tag", "enum64" };
						int k = btf_kind(lt);
						printf("libbpf: prog '%s': relo #%d: target candidate search failed for [%d] %s %s: %ld\n",
						       prog->name, i, rec->type_id, k < 20 ? kinds[k] : "unknown",
						       btf__name_by_offset(local, lt->name_off), (long)err);
					} else {
						cache[rec->type_id] = cands;
					}
				}
			}
			if (!err)
				err = bpf_core_calc_relo_insn(prog->name, rec, i, local, cands, scratch, &res);
			int patch_err = 0;
			char h0[17] = "-", h1[17] = "-";
			if (err) {
				printf("libbpf: prog '%s': relo #%d: failed to relocate: %s\n", prog->name, i, errstr(err));
			} else {
				patch_err = bpf_core_patch_insn(prog->name, prog->insns + insn_idx, insn_idx, rec, i, &res);
				if (patch_err)
					printf("libbpf: prog '%s': relo #%d: failed to patch insn #%u: %s\n", prog->name, i, insn_idx,
					       errstr(patch_err));
				hex_insn(h0, prog->insns + insn_idx);
				if (insn_idx + 1 < prog->cnt) hex_insn(h1, prog->insns + insn_idx + 1);
			}
			printf("ORACLE sec=%s relo=%u prog=%s insn=%d err=%d poison=%d validate=%d memsz_fail=%d orig=%llu new=%llu "
			       "orig_sz=%u new_sz=%u patch_err=%d insn0=%s insn1=%s\n",
			       sec_name, i, prog->name, insn_idx, err, res.poison, res.validate, res.fail_memsz_adjust,
			       (unsigned long long)res.orig_val, (unsigned long long)res.new_val, res.orig_sz, res.new_sz,
			       patch_err, h0, h1);
			if (err || patch_err) { result = err ? err : patch_err; break; }
		}
	}
	// upstream bpf_object__relocate closes a fatal CO-RE error with this line
	if (result)
		printf("libbpf: failed to perform CO-RE relocations: %s\n", errstr(result));
	// final state of every program (relocations may patch neighbouring slots later)
	for (int p = 0; p < nprogs; p++) {
		printf("ORACLE prog=%s insns=", progs[p].name);
		for (int k = 0; k < progs[p].cnt; k++) {
			char h[17];
			hex_insn(h, progs[p].insns + k);
			fputs(h, stdout);
		}
		printf("\n");
	}
	printf("ORACLE result=%d\n", result);
	return 0;
}
