struct core_reloc_ptr_as_arr___diff_sz { int :32; int a; };
void f(struct core_reloc_ptr_as_arr___diff_sz x) {}
