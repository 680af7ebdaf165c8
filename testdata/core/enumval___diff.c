enum named_enum___diff { NAMED_ENUM_VAL1___diff = 101, NAMED_ENUM_VAL2___diff = 202, NAMED_ENUM_VAL3___diff = 303 };
typedef enum { ANON_ENUM_VAL1___diff = 0x11, ANON_ENUM_VAL2___diff = 0x22, ANON_ENUM_VAL3___diff = 0x33 } anon_enum___diff;
enum signed_enum { SIGNED_POS = 70, SIGNED_NEG = -50 };
void f(enum named_enum___diff a, anon_enum___diff b, enum signed_enum c) {}
