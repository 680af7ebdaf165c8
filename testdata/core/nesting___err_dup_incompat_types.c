struct core_reloc_nesting___err_dup_incompat_types__1 { struct { struct { int a; } a; } a; struct { struct { int b; } b; } b; };
struct core_reloc_nesting___err_dup_incompat_types__2 { int pad; struct { struct { int a; } a; } a; struct { struct { int b; } b; } b; };
void f(struct core_reloc_nesting___err_dup_incompat_types__1 x, struct core_reloc_nesting___err_dup_incompat_types__2 y) {}
