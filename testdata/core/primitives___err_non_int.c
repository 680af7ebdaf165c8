struct core_reloc_primitives___err_non_int {
	char a[1];
	int *b;
	enum core_reloc_primitives_enum { A, B } c;
	void *d;
	int (*f)(const char *);
};
void f(struct core_reloc_primitives___err_non_int x) {}
