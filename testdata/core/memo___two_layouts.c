/* Two candidates for core_reloc_memo: both have a (at offset 0, but 4 and 8 bytes wide), only v1 has c, only v2 has b. */
struct core_reloc_memo___v1 { unsigned int a; int c; long pad; };
struct core_reloc_memo___v2 { unsigned long a; int b; };
void f(struct core_reloc_memo___v1 x, struct core_reloc_memo___v2 y) {}
