struct core_reloc_bitfields___just_big_enough {
	unsigned long long ub1: 4;
	unsigned long long ub2: 60;
	unsigned long long ub7;
	int sb4;
	int sb20;
	unsigned int u32;
	int s32;
} __attribute__((packed));
void f(struct core_reloc_bitfields___just_big_enough x) {}
