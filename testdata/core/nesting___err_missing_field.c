struct core_reloc_nesting___err_missing_field { struct { struct { int x; } a; } a; struct { struct { int b; } b; } b; };
void f(struct core_reloc_nesting___err_missing_field x) {}
