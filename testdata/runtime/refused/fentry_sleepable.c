// A sleepable fentry program (BPF_F_SLEEPABLE in the load request; see fentry.c).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("fentry.s/do_unlinkat")
int on_unlink_s(void *ctx) { return 0; }
