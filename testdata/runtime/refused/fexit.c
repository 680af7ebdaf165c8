// fexit on a kernel function (see fentry.c).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("fexit/do_unlinkat")
int after_unlink(void *ctx) { return 0; }
