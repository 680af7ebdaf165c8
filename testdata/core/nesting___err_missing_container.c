struct core_reloc_nesting___err_missing_container { struct { struct { int a; } x; } a; struct { struct { int b; } b; } b; };
void f(struct core_reloc_nesting___err_missing_container x) {}
