struct core_reloc_flavors__err_wrong_name { int a; int b; int c; };
void f(struct core_reloc_flavors__err_wrong_name x) {}
