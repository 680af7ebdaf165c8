// An lwt_seg6local program (the End.BPF action of an IPv6 segment-routing route): alone in its object because
// kernels built without CONFIG_IPV6_SEG6_BPF refuse the program type, and both loaders must then fail alike.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("lwt_seg6local") int seg6_pass(struct __sk_buff *skb) { return BPF_OK; }
