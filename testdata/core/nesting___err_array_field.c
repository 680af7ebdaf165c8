struct core_reloc_nesting___err_array_field { struct { struct { int a[1]; } a; } a; struct { struct { int b; } b; } b; };
void f(struct core_reloc_nesting___err_array_field x) {}
