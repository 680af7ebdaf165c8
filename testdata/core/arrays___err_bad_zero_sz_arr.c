struct core_reloc_arrays_substruct { int c; int d; };
struct core_reloc_arrays___err_bad_zero_sz_arr {
	struct core_reloc_arrays_substruct f[0];
	int a[5];
	char b[2][3][4];
	struct core_reloc_arrays_substruct c[3];
	struct core_reloc_arrays_substruct d[1][2];
};
void f(struct core_reloc_arrays___err_bad_zero_sz_arr x) {}
