struct core_reloc_nesting___struct_union_mixup {
	int __a;
	struct { int __a; union { char __a; int a; } a; } a;
	int __b;
	union { int __b; union { char __b; int b; } b; } b;
};
void f(struct core_reloc_nesting___struct_union_mixup x) {}
