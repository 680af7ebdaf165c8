struct core_reloc_existence___minimal { int a; };
void f(struct core_reloc_existence___minimal x) {}
