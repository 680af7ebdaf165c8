struct core_reloc_primitives___err_non_ptr {
	char a;
	int b;
	enum core_reloc_primitives_enum { A, B } c;
	int d;
	int (*f)(const char *);
};
void f(struct core_reloc_primitives___err_non_ptr x) {}
