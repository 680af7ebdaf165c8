struct core_reloc_existence___wrong_field_defs {
	void *a;
	int b[1];
	struct { int x; } c;
	int arr;
	int b_arr[1];
	int s;
};
void f(struct core_reloc_existence___wrong_field_defs x) {}
