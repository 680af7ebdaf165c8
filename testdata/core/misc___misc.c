struct core_reloc_misc___a { int a1; int a2; };
struct core_reloc_misc___b { int b1; int b2; };
struct core_reloc_misc_extensible { int a; int b; int c; int d; };
void f(struct core_reloc_misc___a a, struct core_reloc_misc___b b, struct core_reloc_misc_extensible e) {}
