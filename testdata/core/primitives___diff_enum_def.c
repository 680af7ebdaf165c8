struct core_reloc_primitives___diff_enum_def {
	char a;
	int b;
	void *d;
	int (*f)(const char *);
	enum { X = 100, Y = 200 } c;
};
void f(struct core_reloc_primitives___diff_enum_def x) {}
