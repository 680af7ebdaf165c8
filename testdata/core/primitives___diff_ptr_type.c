struct core_reloc_primitives___diff_ptr_type {
	const char * const d;
	char a;
	int b;
	enum core_reloc_primitives_enum { A, B } c;
	char (*f)(void);
};
void f(struct core_reloc_primitives___diff_ptr_type x) {}
