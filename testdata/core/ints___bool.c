struct core_reloc_ints___bool {
	_Bool u8_field; signed char s8_field;
	unsigned short u16_field; short s16_field;
	unsigned int u32_field; int s32_field;
	unsigned long long u64_field; long long s64_field;
};
void f(struct core_reloc_ints___bool x) {}
