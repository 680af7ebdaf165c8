struct nothing_here { int x; };
void f(struct nothing_here x) {}
