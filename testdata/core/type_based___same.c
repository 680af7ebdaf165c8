struct a_struct { int x; };
struct a_complex_struct { union { struct a_struct *a; void *b; } x; volatile long y; };
union a_union { int y; int z; };
typedef struct a_struct named_struct_typedef;
typedef struct { int x, y, z; } anon_struct_typedef;
typedef struct { int a, b, c; } *struct_ptr_typedef;
enum an_enum { AN_ENUM_VAL1 = 1, AN_ENUM_VAL2 = 2, AN_ENUM_VAL3 = 3 };
typedef int int_typedef;
typedef enum { TYPEDEF_ENUM_VAL1, TYPEDEF_ENUM_VAL2 } enum_typedef;
typedef void *void_ptr_typedef;
typedef int *restrict restrict_ptr_typedef;
typedef int (*func_proto_typedef)(long);
typedef char arr_typedef[20];
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

