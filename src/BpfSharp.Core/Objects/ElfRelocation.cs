namespace BpfSharp.Objects;

/// <summary>BPF ELF relocation types (<c>R_BPF_*</c>).</summary>
public enum BpfRelocationType : uint
{
    /// <summary><c>R_BPF_NONE</c>.</summary>
    None = 0,
    /// <summary><c>R_BPF_64_64</c>: a <c>ld_imm64</c> against a map, data or extern symbol.</summary>
    Bpf64_64 = 1,
    /// <summary><c>R_BPF_64_ABS64</c>: 64-bit data (e.g. <c>.maps</c> pointers, <c>.BTF</c>).</summary>
    Bpf64Abs64 = 2,
    /// <summary><c>R_BPF_64_ABS32</c>: 32-bit data (DWARF, <c>.BTF</c>).</summary>
    Bpf64Abs32 = 3,
    /// <summary><c>R_BPF_64_NODYLD32</c>: 32-bit data not for the dynamic loader (<c>.BTF.ext</c>).</summary>
    Bpf64NoDyld32 = 4,
    /// <summary><c>R_BPF_64_32</c>: a call or callback address (<c>call</c> imm in instructions).</summary>
    Bpf64_32 = 10,
}

/// <summary>One relocation entry (<c>Elf64_Rel</c>, or <c>Elf64_Rela</c> with an addend).</summary>
/// <param name="Offset"><c>r_offset</c>: byte offset in the target section.</param>
/// <param name="SymbolIndex">Symbol table index.</param>
/// <param name="Type">Relocation type.</param>
/// <param name="Addend">Explicit addend (RELA), else 0.</param>
public readonly record struct ElfRelocation(ulong Offset, int SymbolIndex, BpfRelocationType Type, long Addend);

/// <summary>A relocation section (<c>.rel*</c>/<c>.rela*</c>) and the section it applies to.</summary>
public sealed class ElfRelocationSection
{
    private readonly ElfRelocation[] _entries;

    internal ElfRelocationSection(ElfSection section, int targetSectionIndex, ElfRelocation[] entries)
    {
        Section = section;
        TargetSectionIndex = targetSectionIndex;
        _entries = entries;
    }

    /// <summary>The relocation section itself.</summary>
    public ElfSection Section { get; }
    /// <summary>The section the relocations apply to (<c>sh_info</c>).</summary>
    public int TargetSectionIndex { get; }
    /// <summary>The entries, in file order.</summary>
    public ReadOnlySpan<ElfRelocation> Entries => _entries;
    /// <summary>Number of entries.</summary>
    public int Count => _entries.Length;
}
