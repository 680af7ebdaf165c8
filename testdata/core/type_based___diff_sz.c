struct a_struct { long x; };
struct a_complex_struct { union { struct a_struct *a; void *b; } x; volatile int y; };
union a_union { int y; long z; };
typedef struct a_struct named_struct_typedef;
typedef struct { long x, y, z; } anon_struct_typedef;
typedef struct { char a, b, c; } *struct_ptr_typedef;
enum an_enum { AN_ENUM_VAL1 = 0x100000000, AN_ENUM_VAL2 = 2, AN_ENUM_VAL3 = 3 };
typedef long int_typedef;
typedef enum { TYPEDEF_ENUM_VAL1 = 0x100000000, TYPEDEF_ENUM_VAL2 } enum_typedef;
typedef char *void_ptr_typedef;
typedef long *restrict restrict_ptr_typedef;
typedef char (*func_proto_typedef)(long);
typedef int arr_typedef[20];
/* globals instead of parameters: BPF functions take at most 5 arguments */
struct a_struct a;
struct a_complex_struct b;
union a_union c;
named_struct_typedef d;
anon_struct_typedef e;
struct_ptr_typedef g;
enum an_enum h;
int_typedef i;
enum_typedef j;
void_ptr_typedef k;
restrict_ptr_typedef l;
func_proto_typedef m;
arr_typedef *n;

