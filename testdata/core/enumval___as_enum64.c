enum named_enum { NAMED_ENUM_VAL1 = 0x100000001, NAMED_ENUM_VAL2 = 2, NAMED_ENUM_VAL3 = 3 };
typedef enum { ANON_ENUM_VAL1 = 0x10, ANON_ENUM_VAL2 = 0x1000000020, ANON_ENUM_VAL3 = 0x30 } anon_enum;
void f(enum named_enum a, anon_enum b) {}
