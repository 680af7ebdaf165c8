// C twin of AnonymousMembersProbe.cs: the same accesses through anonymous unions and structs of struct sock,
// written against bpftool's vmlinux.h of the running kernel. Its CO-RE records are the reference.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct socket_ports {
    __u16 Dport, Num;
    __u32 Daddr;
    __u16 Family;
    __u32 PortPair;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, __u16);
    __type(value, struct socket_ports);
} Ports SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(ReadSocketPorts, struct sock *sk, int oldstate, int newstate)
{
    if (newstate != 2) /* TCP_SYN_SENT */
        return 0;
    struct socket_ports ports = {};
    ports.Dport = sk->__sk_common.skc_dport;
    ports.Num = sk->__sk_common.skc_num;
    ports.Daddr = sk->__sk_common.skc_daddr;
    ports.Family = sk->__sk_common.skc_family;
    ports.PortPair = sk->__sk_common.skc_portpair;
    __u16 key = ports.Num;
    bpf_map_update_elem(&Ports, &key, &ports, BPF_ANY);
    return 0;
}
