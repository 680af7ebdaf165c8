enum a_struct { A_STRUCT_VAL = 1 };
struct a_complex_struct { int x; };
struct a_union { int y; };
typedef int named_struct_typedef;
typedef enum { X } anon_struct_typedef;
typedef int struct_ptr_typedef;
struct an_enum { int x; };
typedef int *int_typedef;
typedef struct { int x; } enum_typedef;
typedef int void_ptr_typedef;
typedef long restrict_ptr_typedef;
typedef int func_proto_typedef;
typedef int *arr_typedef;
/* globals instead of parameters: BPF functions take at most 5 arguments */
enum a_struct a;
struct a_complex_struct b;
struct a_union c;
named_struct_typedef d;
anon_struct_typedef e;
struct_ptr_typedef g;
struct an_enum h;
int_typedef i;
enum_typedef j;
void_ptr_typedef k;
restrict_ptr_typedef l;
func_proto_typedef m;
arr_typedef n;

