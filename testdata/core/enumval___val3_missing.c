enum named_enum___val3_missing { NAMED_ENUM_VAL1___val3_missing = 111, NAMED_ENUM_VAL2___val3_missing = 222 };
typedef enum { ANON_ENUM_VAL1___val3_missing = 0x111, ANON_ENUM_VAL2___val3_missing = 0x222 } anon_enum___val3_missing;
enum signed_enum { SIGNED_NEG = -5, SIGNED_POS = 7 };
void f(enum named_enum___val3_missing a, anon_enum___val3_missing b, enum signed_enum c) {}
