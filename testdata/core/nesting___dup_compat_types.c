struct core_reloc_nesting___dup_compat_types { struct { struct { int a; } a; } a; struct { struct { int b; } b; } b; };
struct core_reloc_nesting___dup_compat_types__2 { struct { struct { int a; } a; } a; struct { struct { int b; } b; } b; };
struct core_reloc_nesting___dup_compat_types__3 { struct { struct { int a; } a; } a; struct { struct { int b; } b; } b; };
void f(struct core_reloc_nesting___dup_compat_types x, struct core_reloc_nesting___dup_compat_types__2 y,
       struct core_reloc_nesting___dup_compat_types__3 z) {}
