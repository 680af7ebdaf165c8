using System.Buffers.Binary;

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
/// <remarks>
/// The entries are validated when the object is read but decoded on first use: objects built with debug info carry
/// many relocations for DWARF and <c>.BTF.ext</c> that nothing reads.
/// </remarks>
public sealed class ElfRelocationSection
{
    private readonly bool _rela, _bigEndian;
    private ElfRelocation[]? _entries;

    internal ElfRelocationSection(ElfSection section, int targetSectionIndex, bool rela, bool bigEndian)
    {
        Section = section;
        TargetSectionIndex = targetSectionIndex;
        _rela = rela;
        _bigEndian = bigEndian;
        Count = section.Data.Length / EntrySize(rela);
    }

    /// <summary>The relocation section itself.</summary>
    public ElfSection Section { get; }
    /// <summary>The section the relocations apply to (<c>sh_info</c>).</summary>
    public int TargetSectionIndex { get; }
    /// <summary>The entries, in file order.</summary>
    public ReadOnlySpan<ElfRelocation> Entries => _entries ?? Decode();
    /// <summary>Number of entries.</summary>
    public int Count { get; }

    internal static int EntrySize(bool rela) => rela ? 24 : 16;

    private ElfRelocation[] Decode()
    {
        var data = Section.Data.Span;
        int size = EntrySize(_rela);
        var entries = new ElfRelocation[Count];
        for (int i = 0; i < entries.Length; i++)
        {
            int at = i * size;
            ulong offset = _bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(data[at..]) : BinaryPrimitives.ReadUInt64LittleEndian(data[at..]);
            ulong info = _bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(data[(at + 8)..]) : BinaryPrimitives.ReadUInt64LittleEndian(data[(at + 8)..]);
            long addend = !_rela ? 0
                : (long)(_bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(data[(at + 16)..]) : BinaryPrimitives.ReadUInt64LittleEndian(data[(at + 16)..]));
            entries[i] = new ElfRelocation(offset, (int)(info >> 32), (BpfRelocationType)(uint)info, addend);
        }
        // Decoding is idempotent: a racing reader at worst decodes twice.
        return _entries = entries;
    }
}
