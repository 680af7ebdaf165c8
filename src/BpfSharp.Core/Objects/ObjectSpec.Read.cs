using System.Buffers.Binary;
using System.Text;
using BpfSharp.Btf;
using BpfSharp.Instructions;

namespace BpfSharp.Objects;

public sealed partial class ObjectSpec
{
    private const int ElfHeaderSize = 64, SectionHeaderSize = 64, SymbolSize = 24, RelSize = 16, RelaSize = 24;

    /// <summary>Parses an object from memory.</summary>
    /// <param name="image">The whole ELF file.</param>
    /// <param name="path">The file name, for messages.</param>
    /// <exception cref="BpfFormatException">The data is not a valid BPF object.</exception>
    public static ObjectSpec Read(ReadOnlyMemory<byte> image, string? path = null)
    {
        var obj = new ObjectSpec(image, path);
        obj.ParseElf();
        obj.ParseBtf();
        obj.ParsePrograms();
        obj.ParseMetadata();
        obj.ParseMaps();
        obj.ParseDataSections();
        obj.ParseStructOps();
        obj.ParseArena();
        obj.ParseReferences();
        return obj;
    }

    private BpfFormatException ElfError(BpfFormatError code, string detail, string? section, long offset) =>
        new(code, BpfFormat.Elf, detail, section, offset, Path);

    private ushort U16(ReadOnlySpan<byte> s, int at) =>
        IsBigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s[at..]) : BinaryPrimitives.ReadUInt16LittleEndian(s[at..]);
    private uint U32(ReadOnlySpan<byte> s, int at) =>
        IsBigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s[at..]) : BinaryPrimitives.ReadUInt32LittleEndian(s[at..]);
    private ulong U64(ReadOnlySpan<byte> s, int at) =>
        IsBigEndian ? BinaryPrimitives.ReadUInt64BigEndian(s[at..]) : BinaryPrimitives.ReadUInt64LittleEndian(s[at..]);

    private void ParseElf()
    {
        var elf = Image.Span;
        if (elf.Length < ElfHeaderSize || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw ElfError(BpfFormatError.ElfBadHeader, "not an ELF file", "ELF header", 0);
        if (elf[4] != 2)
            throw ElfError(BpfFormatError.ElfBadHeader, $"ELF class {elf[4]} is not ELFCLASS64", "ELF header", 4);
        IsBigEndian = elf[5] switch
        {
            1 => false,
            2 => true,
            _ => throw ElfError(BpfFormatError.ElfBadHeader, $"ELF data encoding {elf[5]} is neither little- nor big-endian", "ELF header", 5),
        };
        ushort type = U16(elf, 16);
        if (type != 1)
            throw ElfError(BpfFormatError.ElfBadHeader, $"e_type {type} is not ET_REL (a BPF object is a relocatable file)", "ELF header", 16);
        Machine = U16(elf, 18);
        if (Machine != MachineBpf && Machine != 0)
            throw ElfError(BpfFormatError.ElfBadHeader, $"e_machine {Machine} is not EM_BPF (247)", "ELF header", 18);
        ElfFlags = U32(elf, 48);

        ulong shoff = U64(elf, 40);
        int shentsize = U16(elf, 58);
        ulong shnum = U16(elf, 60);
        uint shstrndx = U16(elf, 62);
        if (shoff == 0)
            throw ElfError(BpfFormatError.ElfMalformed, "the object has no section header table", "ELF header", 40);
        if (shentsize != SectionHeaderSize)
            throw ElfError(BpfFormatError.ElfMalformed, $"e_shentsize {shentsize} is not {SectionHeaderSize}", "ELF header", 58);
        if (shoff > (ulong)elf.Length || (ulong)elf.Length - shoff < SectionHeaderSize)
            throw ElfError(BpfFormatError.ElfMalformed, $"section header table at 0x{shoff:x} is beyond the file ({elf.Length} bytes)", "ELF header", 40);
        if (shnum == 0) shnum = U64(elf, (int)shoff + 32);          // extended numbering: SHN_UNDEF's sh_size
        if (shstrndx == 0xffff) shstrndx = U32(elf, (int)shoff + 40); // SHN_XINDEX: SHN_UNDEF's sh_link
        if (shnum > ((ulong)elf.Length - shoff) / SectionHeaderSize)
            throw ElfError(BpfFormatError.ElfMalformed, $"{shnum} section headers at 0x{shoff:x} do not fit in the file", "ELF header", 60);
        if (shstrndx == 0 || shstrndx >= shnum)
            throw ElfError(BpfFormatError.ElfMalformed, $"section name table index {shstrndx} is not in 1..{shnum - 1}", "ELF header", 62);

        int count = (int)shnum;
        int NameOffsetOf(int i) => (int)shoff + i * SectionHeaderSize;
        ReadOnlyMemory<byte> Contents(int i, string? name)
        {
            var elf = Image.Span;
            int at = NameOffsetOf(i);
            var t = (ElfSectionType)U32(elf, at + 4);
            ulong off = U64(elf, at + 24), size = U64(elf, at + 32);
            if (t == ElfSectionType.NoBits || t == ElfSectionType.Null) return ReadOnlyMemory<byte>.Empty;
            if (off > (ulong)elf.Length || size > (ulong)elf.Length - off)
                throw ElfError(BpfFormatError.ElfMalformed,
                    $"section {i} [0x{off:x}, +0x{size:x}) is beyond the file ({elf.Length} bytes)", name ?? $"section {i}", 0);
            return Image.Slice((int)off, (int)size);
        }

        var names = Contents((int)shstrndx, ".shstrtab");
        var nameSpan = names.Span;
        var sections = new ElfSection[count];
        for (int i = 0; i < count; i++)
        {
            int at = NameOffsetOf(i);
            uint nameOff = U32(elf, at);
            string name;
            if (i == 0) name = "";
            else
            {
                if (nameOff >= (uint)nameSpan.Length)
                    throw ElfError(BpfFormatError.ElfMalformed, $"section {i} name offset {nameOff} is beyond the section name table", ".shstrtab", nameOff);
                var n = nameSpan[(int)nameOff..];
                int nul = n.IndexOf((byte)0);
                if (nul < 0)
                    throw ElfError(BpfFormatError.ElfMalformed, $"section {i} name is not NUL-terminated", ".shstrtab", nameOff);
                name = Encoding.UTF8.GetString(n[..nul]);
            }
            var data = i == 0 ? ReadOnlyMemory<byte>.Empty : Contents(i, name);
            sections[i] = new ElfSection(i, name, nameOff, (ElfSectionType)U32(elf, at + 4), (ElfSectionFlags)U64(elf, at + 8),
                U64(elf, at + 16), U64(elf, at + 24), U64(elf, at + 32), U32(elf, at + 40), U32(elf, at + 44),
                U64(elf, at + 48), U64(elf, at + 56), data);
        }
        _sections = sections;
        ParseSymbols();
        ParseRelocationSections();
    }

    private void ParseSymbols()
    {
        ElfSection? symtab = null;
        foreach (var s in _sections)
        {
            if (s.Type != ElfSectionType.SymbolTable) continue;
            if (symtab is not null)
                throw ElfError(BpfFormatError.ElfMalformed, "the object has more than one symbol table", s.Name, 0);
            symtab = s;
        }
        if (symtab is null) return;
        if (symtab.Data.Length % SymbolSize != 0)
            throw ElfError(BpfFormatError.ElfBadSymbol, $"symbol table size {symtab.Data.Length} is not a multiple of {SymbolSize}", symtab.Name, 0);
        var strtab = GetSection((int)symtab.Link);
        if (strtab is null || strtab.Type != ElfSectionType.StringTable)
            throw ElfError(BpfFormatError.ElfBadSymbol, $"symbol table links to section {symtab.Link}, not a string table", symtab.Name, 0);
        var strings = strtab.Data.Span;
        var data = symtab.Data.Span;
        var symbols = new ElfSymbol[data.Length / SymbolSize];
        for (int i = 0; i < symbols.Length; i++)
        {
            int at = i * SymbolSize;
            uint nameOff = U32(data, at);
            byte info = data[at + 4], other = data[at + 5];
            int shndx = U16(data, at + 6);
            string name = "";
            if (nameOff != 0)
            {
                if (nameOff >= (uint)strings.Length)
                    throw ElfError(BpfFormatError.ElfBadSymbol, $"symbol {i} name offset {nameOff} is beyond {strtab.Name}", symtab.Name, at);
                var n = strings[(int)nameOff..];
                int nul = n.IndexOf((byte)0);
                if (nul < 0)
                    throw ElfError(BpfFormatError.ElfBadSymbol, $"symbol {i} name is not NUL-terminated", symtab.Name, at);
                name = Encoding.UTF8.GetString(n[..nul]);
            }
            if (shndx != 0 && shndx < 0xff00 && shndx >= _sections.Length)
                throw ElfError(BpfFormatError.ElfBadSymbol, $"symbol {i} '{name}' refers to section {shndx}, beyond {_sections.Length} sections", symtab.Name, at + 6);
            symbols[i] = new ElfSymbol(i, name, U64(data, at + 8), U64(data, at + 16), (ElfSymbolBinding)(info >> 4),
                (ElfSymbolType)(info & 0xf), (ElfSymbolVisibility)(other & 3), shndx);
        }
        _symbols = symbols;
    }

    private void ParseRelocationSections()
    {
        var list = new List<ElfRelocationSection>();
        foreach (var s in _sections)
        {
            bool rela = s.Type == ElfSectionType.RelocationsWithAddends;
            if (s.Type != ElfSectionType.Relocations && !rela) continue;
            int entry = rela ? RelaSize : RelSize;
            if (s.Data.Length % entry != 0)
                throw ElfError(BpfFormatError.ElfBadRelocation, $"size {s.Data.Length} is not a multiple of {entry}", s.Name, 0);
            if (s.Info == 0 || s.Info >= (uint)_sections.Length)
                throw ElfError(BpfFormatError.ElfBadRelocation, $"sh_info {s.Info} names no section", s.Name, 0);
            // Validated here, decoded when first read (ElfRelocationSection.Entries).
            var data = s.Data.Span;
            int count = data.Length / entry;
            for (int i = 0; i < count; i++)
            {
                int at = i * entry;
                ulong sym = U64(data, at + 8) >> 32;
                if (sym >= (ulong)_symbols.Length)
                    throw ElfError(BpfFormatError.ElfBadRelocation, $"relocation #{i} refers to symbol {sym}, beyond {_symbols.Length} symbols", s.Name, at + 8);
            }
            list.Add(new ElfRelocationSection(s, (int)s.Info, rela, IsBigEndian));
        }
        _relocationSections = [.. list];
    }

    private void ParseBtf()
    {
        var btfSection = FindSection(".BTF");
        if (btfSection is null) return;
        try
        {
            Btf = BtfSpec.Parse(btfSection.Data, null, Path);
        }
        catch (BpfFormatException e)
        {
            throw e.WithSection(".BTF");
        }
        var ext = FindSection(BtfExt.SectionName);
        if (ext is not null) BtfExt = BtfExt.Parse(ext.Data, Btf, Path);
    }

    private void ParsePrograms()
    {
        var programs = new List<ProgramSpec>();
        foreach (var s in _sections)
        {
            if (!s.IsExecutable || s.Data.Length == 0) continue;
            if (s.Data.Length % 8 != 0)
                throw new BpfFormatException(BpfFormatError.ObjectBadProgram, BpfFormat.Object,
                    $"code size {s.Data.Length} is not a multiple of 8", s.Name, 0, Path);
            _instructions[s.Index] = InstructionDecoder.Decode(s.Data.Span, IsBigEndian, strict: false, section: s.Name);
            bool isText = s.Name == ".text";
            foreach (var sym in _symbols)
            {
                if (sym.SectionIndex != s.Index || sym.Type != ElfSymbolType.Func) continue;
                ulong off = sym.Value, size = sym.Size;
                if (off % 8 != 0 || size % 8 != 0 || off > (ulong)s.Data.Length || size > (ulong)s.Data.Length - off)
                    throw new BpfFormatException(BpfFormatError.ObjectBadProgram, BpfFormat.Object,
                        $"function '{sym.Name}' at 0x{off:x} size 0x{size:x} is misaligned or crosses the section end ({s.Data.Length} bytes)",
                        s.Name, (long)Math.Min(off, int.MaxValue), Path);
                if (!isText && sym.Binding == ElfSymbolBinding.Local)
                    throw new BpfFormatException(BpfFormatError.ObjectBadProgram, BpfFormat.Object,
                        $"program '{sym.Name}' is static; only .text may hold static functions", s.Name, (long)off, Path);
                programs.Add(new ProgramSpec(this, sym.Name, s, sym, (int)(off / 8), (int)(size / 8), isText));
            }
        }
        programs.Sort((a, b) => a.Section.Index != b.Section.Index
            ? a.Section.Index.CompareTo(b.Section.Index)
            : a.InstructionOffset.CompareTo(b.InstructionOffset));
        _programs = [.. programs];
    }

    private void ParseMetadata()
    {
        var license = FindSection("license");
        if (license is not null)
        {
            var span = license.Data.Span;
            int nul = span.IndexOf((byte)0);
            License = Encoding.UTF8.GetString(nul < 0 ? span : span[..nul]);
        }
        var version = FindSection("version");
        if (version is not null)
        {
            if (version.Data.Length != 4)
                throw new BpfFormatException(BpfFormatError.ObjectBadMetadata, BpfFormat.Object,
                    $"version section is {version.Data.Length} bytes, not 4", "version", 0, Path);
            KernelVersion = U32(version.Data.Span, 0);
        }
    }
}
