struct core_reloc_flavors___ok { int b; int c; int a; };
void f(struct core_reloc_flavors___ok x) {}
