struct core_reloc_primitives___err_non_enum {
	char a[1];
	int b;
	int c;
	void *d;
	int (*f)(const char *);
};
void f(struct core_reloc_primitives___err_non_enum x) {}
