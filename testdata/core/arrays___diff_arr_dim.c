struct core_reloc_arrays_substruct { int c; int d; };
struct core_reloc_arrays___diff_arr_dim {
	int a[7];
	char b[3][4][5];
	struct core_reloc_arrays_substruct c[4];
	struct core_reloc_arrays_substruct d[2][3];
	struct core_reloc_arrays_substruct f[1][3];
};
struct core_reloc_arrays_direct___diff_arr_dim { long pad; int a[7]; };
void f(struct core_reloc_arrays___diff_arr_dim x, struct core_reloc_arrays_direct___diff_arr_dim y) {}
