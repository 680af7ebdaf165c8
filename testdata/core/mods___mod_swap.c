typedef int arr_t[7];
struct core_reloc_mods_substruct { int x; int y; };
typedef struct { int x; int y; } core_reloc_mods_substruct_t;
struct core_reloc_mods___mod_swap {
	int b;
	int *a;
	const char *d;
	char *const c;
	volatile int f[3];
	const arr_t e;
	const volatile struct core_reloc_mods_substruct h;
	volatile core_reloc_mods_substruct_t g;
};
void f(struct core_reloc_mods___mod_swap x) {}
