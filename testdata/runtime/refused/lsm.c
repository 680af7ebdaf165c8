// A BPF LSM program on file_open (see fentry.c).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("lsm/file_open")
int check_open(void *ctx) { return 0; }
