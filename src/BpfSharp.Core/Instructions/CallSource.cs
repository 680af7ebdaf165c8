namespace BpfSharp.Instructions;

/// <summary>The <c>src_reg</c> of a <c>call</c> (<c>BPF_JMP | BPF_CALL</c>): what the immediate names.</summary>
public enum CallSource : byte
{
    /// <summary>0: a helper function id (<c>call bpf_map_lookup_elem</c> is <c>call 1</c>).</summary>
    Helper = 0,
    /// <summary><c>BPF_PSEUDO_CALL</c> (1): a BPF-to-BPF call; <c>imm</c> is the relative instruction offset of the callee.</summary>
    PseudoCall = 1,
    /// <summary><c>BPF_PSEUDO_KFUNC_CALL</c> (2): a kfunc; <c>imm</c> is its BTF id, <c>off</c> the module BTF fd index.</summary>
    KfuncCall = 2,
}
