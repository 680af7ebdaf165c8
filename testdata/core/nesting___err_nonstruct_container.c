struct core_reloc_nesting___err_nonstruct_container { struct { int a; } a; struct { struct { int b; } b; } b; };
void f(struct core_reloc_nesting___err_nonstruct_container x) {}
