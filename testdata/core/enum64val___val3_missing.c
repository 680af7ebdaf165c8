enum named_unsigned_enum64___val3_missing { UNSIGNED_ENUM64_VAL1___val3_missing = 0x111ffffffffULL, UNSIGNED_ENUM64_VAL2___val3_missing = 0x222 };
enum named_signed_enum64___val3_missing { SIGNED_ENUM64_VAL1___val3_missing = 0x111, SIGNED_ENUM64_VAL2___val3_missing = -222 };
enum named_unsigned_enum___val3_missing { UNSIGNED_ENUM_VAL2___val3_missing = 0x222 };
void f(enum named_unsigned_enum64___val3_missing a, enum named_signed_enum64___val3_missing b, enum named_unsigned_enum___val3_missing c) {}
