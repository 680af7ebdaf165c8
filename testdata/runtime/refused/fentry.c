// fentry on a kernel function: refused with EPERM on some kernels even for libbpf (the loader parity test
// compares the BPF_PROG_LOAD request instead).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("fentry/do_unlinkat")
int on_unlink(void *ctx) { return 0; }
