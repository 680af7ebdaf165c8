struct core_reloc_ints___resized {
	unsigned int u8_field; signed char s8_field;
	unsigned char u16_field; short s16_field;
	unsigned long long u32_field; long long s32_field;
	unsigned int u64_field; long long s64_field;
};
void f(struct core_reloc_ints___resized x) {}
