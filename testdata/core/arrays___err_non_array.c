struct core_reloc_arrays_substruct { int c; int d; };
struct core_reloc_arrays___err_non_array {
	int a;
	char b[2][3][4];
	struct core_reloc_arrays_substruct c[3];
	struct core_reloc_arrays_substruct d[1][2];
	struct core_reloc_arrays_substruct f[];
};
void f(struct core_reloc_arrays___err_non_array x) {}
