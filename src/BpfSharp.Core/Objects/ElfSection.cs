namespace BpfSharp.Objects;

/// <summary>ELF section types (<c>sh_type</c>) a BPF object uses.</summary>
public enum ElfSectionType : uint
{
    /// <summary><c>SHT_NULL</c>.</summary>
    Null = 0,
    /// <summary><c>SHT_PROGBITS</c>: code or initialised data.</summary>
    ProgBits = 1,
    /// <summary><c>SHT_SYMTAB</c>.</summary>
    SymbolTable = 2,
    /// <summary><c>SHT_STRTAB</c>.</summary>
    StringTable = 3,
    /// <summary><c>SHT_RELA</c>.</summary>
    RelocationsWithAddends = 4,
    /// <summary><c>SHT_NOTE</c>.</summary>
    Note = 7,
    /// <summary><c>SHT_NOBITS</c>: zero-initialised data (<c>.bss</c>).</summary>
    NoBits = 8,
    /// <summary><c>SHT_REL</c>.</summary>
    Relocations = 9,
    /// <summary><c>SHT_LLVM_ADDRSIG</c>.</summary>
    LlvmAddrsig = 0x6fff4c03,
}

/// <summary>ELF section flags (<c>sh_flags</c>).</summary>
[Flags]
public enum ElfSectionFlags : ulong
{
    /// <summary>No flags.</summary>
    None = 0,
    /// <summary><c>SHF_WRITE</c>.</summary>
    Write = 1,
    /// <summary><c>SHF_ALLOC</c>.</summary>
    Alloc = 2,
    /// <summary><c>SHF_EXECINSTR</c>: BPF code.</summary>
    ExecInstr = 4,
    /// <summary><c>SHF_MERGE</c>.</summary>
    Merge = 0x10,
    /// <summary><c>SHF_STRINGS</c>.</summary>
    Strings = 0x20,
    /// <summary><c>SHF_INFO_LINK</c>.</summary>
    InfoLink = 0x40,
    /// <summary><c>SHF_EXCLUDE</c>.</summary>
    Exclude = 0x80000000,
}

/// <summary>One ELF section: its header fields and contents, as stored in the file.</summary>
public sealed class ElfSection
{
    internal ElfSection(int index, string name, uint nameOffset, ElfSectionType type, ElfSectionFlags flags, ulong address,
        ulong fileOffset, ulong size, uint link, uint info, ulong alignment, ulong entrySize, ReadOnlyMemory<byte> data)
    {
        Index = index;
        Name = name;
        NameOffset = nameOffset;
        Type = type;
        Flags = flags;
        Address = address;
        FileOffset = fileOffset;
        Size = size;
        Link = link;
        Info = info;
        Alignment = alignment;
        EntrySize = entrySize;
        Data = data;
    }

    /// <summary>The section index (0 is the null section).</summary>
    public int Index { get; }
    /// <summary>The section name.</summary>
    public string Name { get; }
    /// <summary><c>sh_name</c>.</summary>
    public uint NameOffset { get; }
    /// <summary><c>sh_type</c>.</summary>
    public ElfSectionType Type { get; }
    /// <summary><c>sh_flags</c>.</summary>
    public ElfSectionFlags Flags { get; }
    /// <summary><c>sh_addr</c>.</summary>
    public ulong Address { get; }
    /// <summary><c>sh_offset</c>.</summary>
    public ulong FileOffset { get; }
    /// <summary><c>sh_size</c> (for <c>SHT_NOBITS</c>, the size in memory).</summary>
    public ulong Size { get; }
    /// <summary><c>sh_link</c>.</summary>
    public uint Link { get; }
    /// <summary><c>sh_info</c> (for relocation sections: the section they apply to).</summary>
    public uint Info { get; }
    /// <summary><c>sh_addralign</c>.</summary>
    public ulong Alignment { get; }
    /// <summary><c>sh_entsize</c>.</summary>
    public ulong EntrySize { get; }
    /// <summary>The contents (empty for <c>SHT_NOBITS</c>).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>True for a <c>SHT_PROGBITS</c> section with <c>SHF_EXECINSTR</c>: BPF code.</summary>
    public bool IsExecutable => Type == ElfSectionType.ProgBits && (Flags & ElfSectionFlags.ExecInstr) != 0;

    /// <inheritdoc />
    public override string ToString() => $"[{Index}] {Name} {Type} size {Size}";
}
