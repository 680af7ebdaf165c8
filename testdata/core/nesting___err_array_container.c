struct core_reloc_nesting___err_array_container { struct { struct { int a; } a[1]; } a; struct { struct { int b; } b; } b; };
void f(struct core_reloc_nesting___err_array_container x) {}
