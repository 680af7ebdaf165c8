struct core_reloc_nesting___err_partial_match_dups__a { struct { struct { int a; } a; } a; };
struct core_reloc_nesting___err_partial_match_dups__b { struct { struct { int b; } b; } b; };
void f(struct core_reloc_nesting___err_partial_match_dups__a x, struct core_reloc_nesting___err_partial_match_dups__b y) {}
