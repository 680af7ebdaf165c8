struct core_reloc_bitfields___bitfield_vs_int {
	unsigned long long ub1;
	unsigned char ub2;
	unsigned short ub7;
	signed char sb4;
	signed short sb20;
	unsigned int u32: 20;
	int s32: 10;
};
void f(struct core_reloc_bitfields___bitfield_vs_int x) {}
