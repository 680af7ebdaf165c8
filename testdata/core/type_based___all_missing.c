struct completely_different { int x; };
void f(struct completely_different x) {}
