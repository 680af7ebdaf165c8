/* Shared includes for the CO-RE test programs (compiled at test time with clang-19 -O2 -g -target bpf). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
char LICENSE[] SEC("license") = "GPL";
#define SINK(x) asm volatile("" :: "r"(x))
