struct core_reloc_arrays_substruct { int c; int d; };
struct core_reloc_arrays___err_wrong_val_type {
	int a[5];
	char b[2][3][4];
	int c[3];
	struct core_reloc_arrays_substruct d[1][2];
	struct core_reloc_arrays_substruct f[];
};
void f(struct core_reloc_arrays___err_wrong_val_type x) {}
