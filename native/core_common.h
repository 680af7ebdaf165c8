// SPDX-License-Identifier: MIT
// libbpf 1.1.x internals shared by core_oracle.c and core_bench.c: the CO-RE decision functions that libbpf.a
// exports but libbpf-dev does not declare (relo_core.h is not installed), and the structures they take.
#ifndef BPFSHARP_CORE_COMMON_H
#define BPFSHARP_CORE_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>
#include <bpf/btf.h>

struct bpf_core_cand { const struct btf *btf; __u32 id; };
struct bpf_core_cand_list { struct bpf_core_cand *cands; int len; };
struct bpf_core_relo_res {
	__u64 orig_val;
	__u64 new_val;
	bool poison;
	bool validate;
	bool fail_memsz_adjust;
	__u32 orig_sz;
	__u32 orig_type_id;
	__u32 new_sz;
	__u32 new_type_id;
};
struct bpf_core_spec;  // opaque: callers over-allocate the scratch area (3 specs)

int bpf_core_add_cands(struct bpf_core_cand *local_cand, size_t local_essent_len, const struct btf *targ_btf,
		       const char *targ_btf_name, int targ_start_id, struct bpf_core_cand_list *cands);
size_t bpf_core_essential_name_len(const char *name);
int bpf_core_calc_relo_insn(const char *prog_name, const struct bpf_core_relo *relo, int relo_idx,
			    const struct btf *local_btf, struct bpf_core_cand_list *cands,
			    struct bpf_core_spec *specs_scratch, struct bpf_core_relo_res *targ_res);
int bpf_core_patch_insn(const char *prog_name, struct bpf_insn *insn, int insn_idx, const struct bpf_core_relo *relo,
			int relo_idx, const struct bpf_core_relo_res *res);


#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <gelf.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

// One program: a FUNC symbol in an executable section, with a copy of its instructions.
struct prog { char *name; int sec_idx; int off, cnt; struct bpf_insn *insns; bool autoload; };

// Every FUNC symbol in an executable section, as libbpf's bpf_object__add_programs sees them.
// Sections whose name starts with '?' are not autoloaded.
static inline struct prog *collect_programs(Elf *elf, Elf_Data *symtab, size_t strtab_idx, size_t shstrndx, int *count)
{
	int nprogs = 0;
	struct prog *progs = calloc(symtab->d_size / sizeof(Elf64_Sym) + 1, sizeof(*progs));
	for (size_t i = 0; i < symtab->d_size / sizeof(Elf64_Sym); i++) {
		GElf_Sym sym;
		gelf_getsym(symtab, (int)i, &sym);
		if (GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE)
			continue;
		Elf_Scn *ps = elf_getscn(elf, sym.st_shndx);
		GElf_Shdr sh;
		gelf_getshdr(ps, &sh);
		if (sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_EXECINSTR)) continue;
		Elf_Data *d = elf_getdata(ps, NULL);
		struct prog *p = &progs[nprogs++];
		p->name = strdup(elf_strptr(elf, strtab_idx, sym.st_name));
		p->sec_idx = sym.st_shndx;
		p->off = sym.st_value / 8;
		p->cnt = sym.st_size / 8;
		p->insns = malloc(sym.st_size + 16);
		memcpy(p->insns, (char *)d->d_buf + sym.st_value, sym.st_size);
		p->autoload = elf_strptr(elf, shstrndx, sh.sh_name)[0] != '?';
	}
	*count = nprogs;
	return progs;
}

// An object opened for CO-RE: its BTF, ELF, programs, and the CO-RE part of .BTF.ext (per-section headers, records).
struct core_object {
	struct btf *local;
	Elf *elf;
	size_t shstrndx;
	struct prog *progs;
	int nprogs;
	int fd;
	const unsigned char *info, *end;
	__u32 rec_size;
};

// Opens PATH; returns NULL, or what is wrong with the file.
static inline const char *open_core_object(const char *path, struct core_object *o)
{
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->local = btf__parse_elf(path, NULL);
	if (!o->local) return "cannot parse .BTF";
	o->fd = open(path, O_RDONLY);
	o->elf = o->fd < 0 ? NULL : elf_begin(o->fd, ELF_C_READ, NULL);
	if (!o->elf || elf_getshdrstrndx(o->elf, &o->shstrndx)) return "cannot open ELF";

	Elf_Data *ext = NULL, *symtab = NULL;
	int strtab_idx = 0;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(o->elf, scn))) {
		GElf_Shdr sh;
		gelf_getshdr(scn, &sh);
		const char *name = elf_strptr(o->elf, o->shstrndx, sh.sh_name);
		if (strcmp(name, ".BTF.ext") == 0) ext = elf_getdata(scn, NULL);
		if (sh.sh_type == SHT_SYMTAB) { symtab = elf_getdata(scn, NULL); strtab_idx = sh.sh_link; }
	}
	if (!ext || !symtab) return "no .BTF.ext or symbol table";
	o->progs = collect_programs(o->elf, symtab, strtab_idx, o->shstrndx, &o->nprogs);

	const unsigned char *data = ext->d_buf;
	__u32 hdr_len = *(const __u32 *)(data + 4);
	__u32 core_off = *(const __u32 *)(data + 24), core_len = *(const __u32 *)(data + 28);
	if (hdr_len < 32 || core_len == 0) return "no CO-RE relocations";
	o->info = data + hdr_len + core_off;
	o->end = o->info + core_len;
	o->rec_size = *(const __u32 *)o->info;
	o->info += 4;
	return NULL;
}

static inline void close_core_object(struct core_object *o)
{
	for (int p = 0; p < o->nprogs; p++) { free(o->progs[p].name); free(o->progs[p].insns); }
	free(o->progs);
	if (o->elf) elf_end(o->elf);
	if (o->fd >= 0) close(o->fd);
	btf__free(o->local);
}

// The ELF index of the section named NAME, or -1.
static inline int core_section_index(const struct core_object *o, const char *name)
{
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(o->elf, scn))) {
		GElf_Shdr sh;
		gelf_getshdr(scn, &sh);
		if (strcmp(elf_strptr(o->elf, o->shstrndx, sh.sh_name), name) == 0) return (int)elf_ndxscn(scn);
	}
	return -1;
}

// The program of section SEC_IDX that holds instruction INSN_IDX (section-relative), or NULL.
static inline struct prog *core_program_at(const struct core_object *o, int sec_idx, int insn_idx)
{
	struct prog *found = NULL;
	for (int p = 0; p < o->nprogs; p++)
		if (o->progs[p].sec_idx == sec_idx && insn_idx >= o->progs[p].off && insn_idx < o->progs[p].off + o->progs[p].cnt)
			found = &o->progs[p];
	return found;
}

// errno as the failure lines print it (newer libbpf's errstr).
static inline const char *errstr(int err)
{
	static char buf[32];
	switch (err) {
	case -EINVAL: return "-EINVAL";
	case -E2BIG: return "-E2BIG";
	case -ERANGE: return "-ERANGE";
	case -EOPNOTSUPP: return "-EOPNOTSUPP";
	case -ENOENT: return "-ENOENT";
	case -ENOMEM: return "-ENOMEM";
	}
	snprintf(buf, sizeof(buf), "%d", err);
	return buf;
}

// The candidates for LOCAL's type TYPE_ID in TARGET (vmlinux), searched once per type and kept in CACHE
// (btf__type_cnt(local) slots), as bpf_object__relocate_core caches them; NULL if the search failed.
static inline struct bpf_core_cand_list *cached_candidates(struct bpf_core_cand_list **cache, struct btf *local,
							   __u32 type_id, const struct btf *target)
{
	if (cache[type_id]) return cache[type_id];
	struct bpf_core_cand local_cand = { local, type_id };
	const struct btf_type *t = btf__type_by_id(local, type_id);
	size_t len = bpf_core_essential_name_len(btf__name_by_offset(local, t->name_off));
	struct bpf_core_cand_list *cands = calloc(1, sizeof(*cands));
	if (bpf_core_add_cands(&local_cand, len, target, "vmlinux", 1, cands)) {
		free(cands);
		return NULL;
	}
	return cache[type_id] = cands;
}

#endif
