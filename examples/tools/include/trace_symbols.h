// Kernel and user symbolisation for the C twins of the stack tools (profile, offcputime): what libbpf-tools keep
// in trace_helpers.c, reduced to what the twins print, and computed the way BpfSharp.Linux.Symbols does it so the
// twins and the C# tools name the same frames:
// - kernel: /proc/kallsyms sorted by address then name; an address resolves to the last entry at or below it.
// - user: /proc/PID/maps' executable file mappings; address - start + offset is a file offset, the PT_LOAD segment
//   holding it gives the link-time address, and the function is the last STT_FUNC/STT_GNU_IFUNC symbol of
//   .symtab (.dynsym when stripped) at or below it whose size covers it (or that has no size).
#ifndef TRACE_SYMBOLS_H
#define TRACE_SYMBOLS_H
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ksym { unsigned long long addr; char *name; };
struct ksyms { struct ksym *syms; size_t count; };

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;
	if (x->addr != y->addr) return x->addr < y->addr ? -1 : 1;
	return strcmp(x->name, y->name);
}

static struct ksyms *ksyms_load(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	if (!f) return NULL;
	struct ksyms *k = calloc(1, sizeof(*k));
	size_t cap = 0;
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		unsigned long long addr;
		char type, name[256];
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3) continue;
		if (k->count == cap) {
			cap = cap ? cap * 2 : 1 << 16;
			k->syms = realloc(k->syms, cap * sizeof(*k->syms));
		}
		k->syms[k->count].addr = addr;
		k->syms[k->count].name = strdup(name);
		k->count++;
	}
	fclose(f);
	qsort(k->syms, k->count, sizeof(*k->syms), ksym_cmp);
	return k;
}

static const struct ksym *ksyms_find(const struct ksyms *k, unsigned long long addr)
{
	long low = 0, high = (long)k->count - 1, found = -1;
	while (low <= high) {
		long mid = low + (high - low) / 2;
		if (k->syms[mid].addr <= addr) { found = mid; low = mid + 1; }
		else high = mid - 1;
	}
	return found < 0 ? NULL : &k->syms[found];
}

struct usym { unsigned long long addr, size; char *name; };
struct segment { unsigned long long offset, filesz, vaddr; };
struct elf_syms { struct usym *syms; size_t count; struct segment *segs; size_t nsegs; };
struct mapping { unsigned long long start, end, offset; struct elf_syms *file; };
struct usyms { struct mapping *maps; size_t count; };

static int usym_cmp(const void *a, const void *b)
{
	const struct usym *x = a, *y = b;
	if (x->addr != y->addr) return x->addr < y->addr ? -1 : 1;
	return 0;
}

static void read_symbols(Elf *elf, Elf_Scn *scn, GElf_Shdr *sh, struct elf_syms *out)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data) return;
	size_t n = sh->sh_size / sh->sh_entsize;
	out->syms = realloc(out->syms, (out->count + n) * sizeof(*out->syms));
	for (size_t i = 0; i < n; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(data, i, &sym)) continue;
		int kind = GELF_ST_TYPE(sym.st_info);
		if ((kind != STT_FUNC && kind != STT_GNU_IFUNC) || sym.st_shndx == SHN_UNDEF || !sym.st_value) continue;
		const char *name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!name || !*name) continue;
		out->syms[out->count].addr = sym.st_value;
		out->syms[out->count].size = sym.st_size;
		out->syms[out->count].name = strdup(name);
		out->count++;
	}
}

static struct elf_syms *elf_syms_load(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) return NULL;
	elf_version(EV_CURRENT);
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf) { close(fd); return NULL; }
	struct elf_syms *out = calloc(1, sizeof(*out));
	size_t phnum = 0;
	elf_getphdrnum(elf, &phnum);
	out->segs = calloc(phnum ? phnum : 1, sizeof(*out->segs));
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD) continue;
		out->segs[out->nsegs++] = (struct segment){ ph.p_offset, ph.p_filesz, ph.p_vaddr };
	}
	/* .symtab is complete; a stripped file keeps only .dynsym */
	Elf_Scn *scn = NULL, *dynsym = NULL;
	GElf_Shdr sh, dynsh;
	int have_symtab = 0;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh)) continue;
		if (sh.sh_type == SHT_SYMTAB) { read_symbols(elf, scn, &sh, out); have_symtab = 1; }
		else if (sh.sh_type == SHT_DYNSYM) { dynsym = scn; dynsh = sh; }
	}
	if (!have_symtab && dynsym) read_symbols(elf, dynsym, &dynsh, out);
	qsort(out->syms, out->count, sizeof(*out->syms), usym_cmp);
	elf_end(elf);
	close(fd);
	return out;
}

static struct usyms *usyms_load(int pid)
{
	char path[64], line[4096];
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	FILE *f = fopen(path, "r");
	if (!f) return NULL;
	struct usyms *u = calloc(1, sizeof(*u));
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end, offset, inode;
		char perms[8], dev[16], file[4096] = "";
		if (sscanf(line, "%llx-%llx %7s %llx %15s %llu %4095s", &start, &end, perms, &offset, dev, &inode, file) < 6) continue;
		if (perms[2] != 'x' || !inode || file[0] != '/') continue;
		char root_path[4200];
		snprintf(root_path, sizeof(root_path), "/proc/%d/root%s", pid, file);
		struct elf_syms *syms = elf_syms_load(root_path);
		if (!syms) syms = elf_syms_load(file);
		u->maps = realloc(u->maps, (u->count + 1) * sizeof(*u->maps));
		u->maps[u->count++] = (struct mapping){ start, end, offset, syms };
	}
	fclose(f);
	return u;
}

/* The function holding addr in the process, or NULL. */
static const char *usyms_find(const struct usyms *u, unsigned long long addr)
{
	for (size_t m = 0; m < u->count; m++) {
		const struct mapping *map = &u->maps[m];
		if (addr < map->start || addr >= map->end || !map->file) continue;
		unsigned long long file_offset = addr - map->start + map->offset, vaddr = file_offset;
		for (size_t s = 0; s < map->file->nsegs; s++) {
			const struct segment *seg = &map->file->segs[s];
			if (file_offset >= seg->offset && file_offset - seg->offset < seg->filesz) {
				vaddr = file_offset - seg->offset + seg->vaddr;
				break;
			}
		}
		long low = 0, high = (long)map->file->count - 1, found = -1;
		while (low <= high) {
			long mid = low + (high - low) / 2;
			if (map->file->syms[mid].addr <= vaddr) { found = mid; low = mid + 1; }
			else high = mid - 1;
		}
		for (long i = found; i >= 0 && i > found - 8; i--) {
			const struct usym *sym = &map->file->syms[i];
			if (!sym->size || vaddr - sym->addr < sym->size) return sym->name;
			if (i > 0 && map->file->syms[i - 1].addr != sym->addr) break;
		}
		return NULL;
	}
	return NULL;
}
#endif
