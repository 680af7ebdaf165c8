struct pad1 { int p; };
struct a_struct { int x; };
union a_union { int y; int z; };
enum an_enum { AN_ENUM_VAL1 = 1 };
typedef struct a_struct named_struct_typedef;
typedef int (*func_proto_typedef)(long);
typedef char arr_typedef[20];
/* globals instead of parameters: BPF functions take at most 5 arguments */
struct pad1 p;
struct a_struct a;
union a_union b;
enum an_enum c;
named_struct_typedef d;
func_proto_typedef e;
arr_typedef *g;

