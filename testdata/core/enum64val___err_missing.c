enum named_unsigned_enum64___err_missing { UNSIGNED_ENUM64_VAL1___err_missing = 0x1ffffffffULL, UNSIGNED_ENUM64_VAL3___err_missing = 0x3ffffffffULL };
enum named_signed_enum64___err_missing { SIGNED_ENUM64_VAL1___err_missing = -1, SIGNED_ENUM64_VAL3___err_missing = -3 };
void f(enum named_unsigned_enum64___err_missing a, enum named_signed_enum64___err_missing b) {}
