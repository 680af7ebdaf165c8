/* Name conflicts for the C header printer: block-scope types whose names repeat get ___N suffixes. */
#define SEC(name) __attribute__((section(name), used))
#define RELOC __attribute__((preserve_access_index))

struct ctx_hdr { long data; };

SEC("xdp") int first(struct ctx_hdr *c)
{
	typedef int myint;
	enum dup_enum { DUP_VAL = 1, ONLY_FIRST = 2 };
	struct RELOC dup { myint a; enum dup_enum e; } *p = (void *)c->data;
	union RELOC dupu { int x; } *q = (void *)c->data;
	return p->a + p->e + q->x;
}

SEC("xdp") int second(struct ctx_hdr *c)
{
	typedef long myint;
	enum dup_enum { DUP_VAL = 3, ONLY_SECOND = 4 };
	struct RELOC dup { myint b; enum dup_enum e; struct dup *self; } *p = (void *)c->data;
	union RELOC dupu { long y; } *q = (void *)c->data;
	return p->b + p->e + q->y + (p->self != 0);
}

SEC("xdp") int third(struct ctx_hdr *c)
{
	typedef char myint;
	enum { DUP_VAL = 5 } v = DUP_VAL;
	struct RELOC dup { myint c; } *p = (void *)c->data;
	return p->c + v;
}

char _license[] SEC("license") = "GPL";
