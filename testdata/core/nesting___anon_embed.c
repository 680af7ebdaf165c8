struct core_reloc_nesting___anon_embed {
	int __crap_1;
	struct { int __crap_2; union { int __crap_3; struct { int a; }; } a; };
	union { int __crap_4; struct { int __crap_5; union { int b; }; } b; };
};
void f(struct core_reloc_nesting___anon_embed x) {}
