struct core_reloc_nesting___extra_nesting {
	struct { struct { struct { int a; } a; }; } a;
	int __pad;
	union { struct { struct { int b; }; } b; } b;
};
void f(struct core_reloc_nesting___extra_nesting x) {}
