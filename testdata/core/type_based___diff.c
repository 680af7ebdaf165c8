struct a_struct { int x; int y; };
struct a_complex_struct { union { struct a_struct *a; void *b; } x; volatile long y; long extra; };
union a_union { int z; int y; };
typedef struct a_struct named_struct_typedef;
typedef struct { int z, x, y; } anon_struct_typedef;
typedef struct { int c; int b; int a; } *struct_ptr_typedef;
enum an_enum { AN_ENUM_VAL3 = 3, AN_ENUM_VAL1 = 1, AN_ENUM_VAL2 = 2, AN_ENUM_VAL4 = 4 };
typedef unsigned int int_typedef;
typedef enum { TYPEDEF_ENUM_VAL2, TYPEDEF_ENUM_VAL1 } enum_typedef;
typedef const void *void_ptr_typedef;
typedef int *restrict restrict_ptr_typedef;
typedef int (*func_proto_typedef)(char);
typedef char arr_typedef[21];
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

