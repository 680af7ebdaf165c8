// Differential oracle: opens a BPF object with libbpf (no kernel needed) and prints what libbpf parsed.
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <bpf/btf.h>

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args) { return 0; }

int main(int argc, char **argv)
{
	libbpf_set_print(quiet);
	if (argc > 1 && strcmp(argv[1], "--sec") == 0) {
		/* Section names: what libbpf_prog_type_by_name says. */
		for (int i = 2; i < argc; i++) {
			enum bpf_prog_type type;
			enum bpf_attach_type attach;
			if (libbpf_prog_type_by_name(argv[i], &type, &attach) == 0)
				printf("sec %s %d %d\n", argv[i], type, attach);
			else
				printf("sec %s none\n", argv[i]);
		}
		return 0;
	}
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) { printf("error %s\n", argv[1]); return 1; }
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj)
		printf("prog %s %s %zu\n", bpf_program__name(prog), bpf_program__section_name(prog), bpf_program__insn_cnt(prog));
	bpf_object__for_each_program(prog, obj)
		printf("progtype %s %d %d\n", bpf_program__name(prog), bpf_program__type(prog), bpf_program__expected_attach_type(prog));
	struct bpf_map *map;
	bpf_object__for_each_map(map, obj) {
		struct bpf_map *inner = bpf_map__inner_map(map);
		const char *pin = bpf_map__pin_path(map);
		printf("map %s internal=%d type=%d key=%u value=%u max=%u flags=0x%x numa=%u extra=%llu ktid=%u vtid=%u pinned=%d",
			bpf_map__name(map), bpf_map__is_internal(map), bpf_map__type(map), bpf_map__key_size(map),
			bpf_map__value_size(map), bpf_map__max_entries(map), bpf_map__map_flags(map), bpf_map__numa_node(map),
			(unsigned long long)bpf_map__map_extra(map), bpf_map__btf_key_type_id(map), bpf_map__btf_value_type_id(map),
			pin != NULL);
		if (inner)
			printf(" inner=%d/%u/%u/%u", bpf_map__type(inner), bpf_map__key_size(inner), bpf_map__value_size(inner), bpf_map__max_entries(inner));
		printf("\n");
	}
	/* DATASECs after libbpf's fixups (offsets from symbols, .kconfig layout). */
	struct btf *btf = bpf_object__btf(obj);
	for (unsigned int id = 1; btf && id < btf__type_cnt(btf); id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		if (!btf_is_datasec(t)) continue;
		printf("datasec %s size=%u", btf__name_by_offset(btf, t->name_off), t->size);
		const struct btf_var_secinfo *v = btf_var_secinfos(t);
		for (int i = 0; i < btf_vlen(t); i++, v++)
			printf(" %s@%u/%u", btf__name_by_offset(btf, btf__type_by_id(btf, v->type)->name_off), v->offset, v->size);
		printf("\n");
	}
	bpf_object__close(obj);
	return 0;
}
