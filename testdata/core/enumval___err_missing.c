enum named_enum___err_missing { NAMED_ENUM_VAL1___err_missing = 1, NAMED_ENUM_VAL3___err_missing = 3 };
typedef enum { ANON_ENUM_VAL1___err_missing = 0x111, ANON_ENUM_VAL3___err_missing = 0x222 } anon_enum___err_missing;
void f(enum named_enum___err_missing a, anon_enum___err_missing b) {}
