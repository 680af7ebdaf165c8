struct core_reloc_arrays_substruct { int c; int d; };
struct core_reloc_arrays___diff_arr_val_sz {
	long a[7];
	int b[3][4][5];
	struct { int __pad1; int c; int __pad2; } c[4];
	struct { int __pad1; int d; int __pad2; } d[2][3];
	struct { int __pad1; int c; int __pad2; } f[];
};
struct core_reloc_arrays_direct___diff_arr_val_sz { unsigned char a[7]; };
void f(struct core_reloc_arrays___diff_arr_val_sz x, struct core_reloc_arrays_direct___diff_arr_val_sz y) {}
