struct core_reloc_size___err_ambiguous1 {
	int int_field;
	struct { int x; } struct_field;
	union { int x; } union_field;
	int arr_field[4];
	void *ptr_field;
	enum { VALUE___1 = 123 } enum_field;
	float float_field;
};
struct core_reloc_size___err_ambiguous2 {
	char int_field;
	struct { int x; } struct_field;
	union { int x; } union_field;
	int arr_field[4];
	void *ptr_field;
	enum { VALUE___2 = 123 } enum_field;
	float float_field;
};
void f(struct core_reloc_size___err_ambiguous1 x, struct core_reloc_size___err_ambiguous2 y) {}
