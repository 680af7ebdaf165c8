typedef int int_t;
typedef int_t *int_ptr_t;
typedef char *char_ptr_t;
typedef int_t arr1_t[7];
typedef arr1_t arr2_t;
typedef struct { int x; int y; } core_reloc_mods_substruct_tt;
struct core_reloc_mods___typedefs {
	core_reloc_mods_substruct_tt g;
	core_reloc_mods_substruct_tt h;
	arr2_t f;
	arr2_t e;
	int_ptr_t d;
	char_ptr_t c;
	int_ptr_t b;
	int_t a;
};
void f(struct core_reloc_mods___typedefs x) {}
