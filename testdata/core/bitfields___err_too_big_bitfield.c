struct core_reloc_bitfields___err_too_big_bitfield {
	unsigned long long ub1: 4;
	unsigned long long ub2: 61;
	unsigned long long ub7;
	int sb4;
	int sb20;
	unsigned int u32;
	int s32;
} __attribute__((packed));
void f(struct core_reloc_bitfields___err_too_big_bitfield x) {}
