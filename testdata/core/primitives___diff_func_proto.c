struct core_reloc_primitives___diff_func_proto {
	void (*f)(int);
	void *d;
	enum core_reloc_primitives_enum { A, B } c;
	int b;
	char a;
};
void f(struct core_reloc_primitives___diff_func_proto x) {}
