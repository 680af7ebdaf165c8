struct core_reloc_ints___reverse_sign {
	signed char u8_field; unsigned char s8_field;
	short u16_field; unsigned short s16_field;
	int u32_field; unsigned int s32_field;
	long long u64_field; unsigned long long s64_field;
};
void f(struct core_reloc_ints___reverse_sign x) {}
