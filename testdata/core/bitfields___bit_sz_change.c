struct core_reloc_bitfields___bit_sz_change {
	unsigned short ub1: 3;
	unsigned int ub2: 20;
	unsigned char ub7: 1;
	signed char sb4: 7;
	signed short sb20: 4;
	unsigned short u32;
	signed char s32;
};
void f(struct core_reloc_bitfields___bit_sz_change x) {}
