// bpf_ksym_exists() on kfuncs: an ld_imm64 of a weak kfunc's address. libbpf keeps the ld_imm64, with
// src_reg = BPF_PSEUDO_BTF_ID and the kfunc's BTF id when the kernel has it, and 0 when it does not.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

// A prototype without struct pointers: a forward-declared struct would not match the kernel's (and a weak kfunc
// whose prototype does not match stays unresolved).
extern void bpf_rcu_read_lock(void) __ksym __weak;
extern void bpfsharp_no_such_kfunc(void) __ksym __weak;

// libbpf 1.2's bpf_ksym_exists, spelled out for older headers.
#define ksym_exists(sym) ({ _Static_assert(!__builtin_constant_p(!!sym), #sym " must be __weak"); !!sym; })

SEC("xdp")
int kfunc_exists(struct xdp_md *ctx)
{
    int found = 0;
    if (ksym_exists(bpf_rcu_read_lock))
        found |= 1;
    if (ksym_exists(bpfsharp_no_such_kfunc))
        found |= 2;
    return found;
}

char LICENSE[] SEC("license") = "GPL";
