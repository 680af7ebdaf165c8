struct core_reloc_size___diff_offs {
	float float_field;
	enum { YET_OTHER_VALUE = 123 } enum_field;
	void *ptr_field;
	int arr_field[4];
	union { int x; } union_field;
	struct { int x; } struct_field;
	int int_field;
};
void f(struct core_reloc_size___diff_offs x) {}
