struct core_reloc_size___diff_sz {
	long int_field;
	struct { int x; int y; int z; } struct_field;
	union { int x; char bla[123]; } union_field;
	char arr_field[10];
	void *ptr_field;
	enum { OTHER_VALUE = 0xFFFFFFFFFFFFFFFF } enum_field;
	double float_field;
};
void f(struct core_reloc_size___diff_sz x) {}
