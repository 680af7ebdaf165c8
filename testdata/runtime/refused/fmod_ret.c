// fmod_ret on the kernel's own test function for it (see fentry.c).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("fmod_ret/bpf_modify_return_test")
int modify(void *ctx) { return 0; }
