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


#include <gelf.h>
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

#endif
