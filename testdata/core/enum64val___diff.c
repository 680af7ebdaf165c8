enum named_unsigned_enum64___diff { UNSIGNED_ENUM64_VAL1___diff = 0x101ffffffffULL, UNSIGNED_ENUM64_VAL2___diff = 0x202ffffffffULL, UNSIGNED_ENUM64_VAL3___diff = 0x303ffffffffULL };
enum named_signed_enum64___diff { SIGNED_ENUM64_VAL1___diff = -1, SIGNED_ENUM64_VAL2___diff = -2, SIGNED_ENUM64_VAL3___diff = -3 };
enum named_unsigned_enum___diff { UNSIGNED_ENUM_VAL1___diff = 0x101ffffffffULL, UNSIGNED_ENUM_VAL2___diff = 0x202ffffffffULL };
void f(enum named_unsigned_enum64___diff a, enum named_signed_enum64___diff b, enum named_unsigned_enum___diff c) {}
