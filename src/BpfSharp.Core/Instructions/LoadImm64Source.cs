namespace BpfSharp.Instructions;

/// <summary>The <c>src_reg</c> of a ld_imm64: what its 64-bit immediate means to the kernel.</summary>
public enum LoadImm64Source : byte
{
    /// <summary>0: a plain 64-bit constant (also what clang emits before relocation).</summary>
    Immediate = 0,
    /// <summary><c>BPF_PSEUDO_MAP_FD</c> (1): <c>imm</c> is a map fd.</summary>
    MapFd = 1,
    /// <summary><c>BPF_PSEUDO_MAP_VALUE</c> (2): <c>imm</c> is a map fd, the second slot's <c>imm</c> an offset into its value.</summary>
    MapValue = 2,
    /// <summary><c>BPF_PSEUDO_BTF_ID</c> (3): <c>imm</c> is a kernel BTF id of a variable (ksym).</summary>
    BtfId = 3,
    /// <summary><c>BPF_PSEUDO_FUNC</c> (4): <c>imm</c> is a relative instruction offset of a subprogram (callback).</summary>
    Func = 4,
    /// <summary><c>BPF_PSEUDO_MAP_IDX</c> (5): <c>imm</c> is an index into the fd array.</summary>
    MapIndex = 5,
    /// <summary><c>BPF_PSEUDO_MAP_IDX_VALUE</c> (6): like <see cref="MapValue"/> through the fd array.</summary>
    MapIndexValue = 6,
}
