struct core_reloc_arrays_direct___err_bad_signed_arr_elem_sz { short a[5]; };
void f(struct core_reloc_arrays_direct___err_bad_signed_arr_elem_sz y) {}
