namespace BpfSharp.CoRe;

/// <summary>
/// The computed outcome of one relocation before patching (libbpf's <c>struct bpf_core_relo_res</c>).
/// </summary>
public struct CoReRelocationValue
{
    /// <summary>The value libbpf expects the instruction to hold (computed on the local spec).</summary>
    public ulong OriginalValue;
    /// <summary>The value to patch in (computed on the target spec).</summary>
    public ulong NewValue;
    /// <summary>The instruction is to be poisoned (<c>call 0xbad2310</c>).</summary>
    public bool Poison;
    /// <summary>The instruction's current value must equal <see cref="OriginalValue"/>.</summary>
    public bool Validate;
    /// <summary>A load/store through this field cannot be resized safely; LDX/ST/STX are poisoned.</summary>
    public bool FailMemorySizeAdjust;
    /// <summary>Local field (or innermost element) size for load/store resizing (BYTE_OFFSET of non-bitfields), else 0.</summary>
    public uint OriginalSize;
    /// <summary>Local field type id used for the resize decision.</summary>
    public int OriginalTypeId;
    /// <summary>Target field size.</summary>
    public uint NewSize;
    /// <summary>Target field type id.</summary>
    public int NewTypeId;
}
