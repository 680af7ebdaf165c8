struct core_reloc_nesting_substruct { int a; };
union core_reloc_nesting_subunion { int b; };
struct core_reloc_nesting___ok {
	int pad[3];
	union { struct core_reloc_nesting_substruct a; } a;
	struct { long x; union core_reloc_nesting_subunion b; } b;
};
void f(struct core_reloc_nesting___ok x) {}
