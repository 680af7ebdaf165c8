struct core_reloc_existence___full {
	long pad;
	struct { int x; } s;
	int arr[3];
	union { int b; int bb; };
	int c;
	int a;
};
void f(struct core_reloc_existence___full x) {}
