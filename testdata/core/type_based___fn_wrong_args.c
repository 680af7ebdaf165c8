struct a_struct { int x; };
typedef int (*func_proto_typedef)(long, int);
typedef void (*func_proto_typedef___flavor)(long);
void f(struct a_struct a, func_proto_typedef m, func_proto_typedef___flavor n) {}
