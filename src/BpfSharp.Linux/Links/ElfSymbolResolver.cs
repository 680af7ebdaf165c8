using System.Buffers.Binary;
using System.Text;

namespace BpfSharp.Linux.Links;

/// <summary>
/// Finds a function symbol's file offset in an ELF64 little-endian executable or shared library, which is what
/// the uprobe PMU wants: the symbol's virtual address mapped back through the loadable segment that contains it.
/// </summary>
public static class ElfSymbolResolver
{
    private const int SymbolSize = 24;
    private const int SectionHeaderSize = 64;
    private const int ProgramHeaderSize = 56;

    /// <summary>The file offset of function <paramref name="symbol"/> in <paramref name="path"/>.</summary>
    /// <exception cref="BpfAttachException">The symbol is not defined in <c>.symtab</c> or <c>.dynsym</c>.</exception>
    /// <exception cref="BpfFormatException">The file is not a well-formed ELF64 little-endian file.</exception>
    public static ulong FileOffset(string path, string symbol)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(symbol);
        var elf = InputFiles.ReadAll(path); // bounded: /dev/zero as a uprobe binary is an error, not 4 GB
        try
        {
            return FileOffset(elf, symbol) ?? throw new BpfAttachException($"{path}: no function symbol '{symbol}' in .symtab or .dynsym");
        }
        catch (BpfFormatException e)
        {
            throw e.WithFile(path);
        }
    }

    /// <summary>The file offset of function <paramref name="symbol"/> in the ELF image, or null if it is not defined.</summary>
    /// <exception cref="BpfFormatException">The image is not a well-formed ELF64 little-endian file.</exception>
    public static ulong? FileOffset(ReadOnlySpan<byte> elf, string symbol)
    {
        var (phoff, shoff, phnum, shnum) = Header(elf);
        var sections = Slice(elf, shoff, (ulong)shnum * SectionHeaderSize, "section header table", 40);

        var wantedLength = Encoding.UTF8.GetByteCount(symbol);
        Span<byte> wanted = wantedLength <= 256 ? stackalloc byte[wantedLength] : new byte[wantedLength];
        Encoding.UTF8.GetBytes(symbol, wanted);

        // .symtab first (complete), then .dynsym (all a stripped binary keeps).
        foreach (var sectionType in (ReadOnlySpan<uint>)[SymtabType, DynsymType])
        {
            for (var i = 0; i < shnum; i++)
            {
                if (!TryTable(elf, sections, shoff, shnum, i, sectionType, out var symbols, out var strings, out var tableOffset)) continue;
                for (var s = 0; s + SymbolSize <= symbols.Length; s += SymbolSize)
                {
                    var sym = symbols.Slice(s, SymbolSize);
                    if (!IsDefinedFunction(sym)) continue;
                    if (!SymbolName(strings, sym, tableOffset + s).SequenceEqual(wanted)) continue;
                    return AddressToOffset(elf, phoff, phnum, sections, shnum, ReadU64(sym, 8), sym);
                }
            }
        }
        return null;
    }

    /// <summary>
    /// Every defined function whose name matches the glob <paramref name="pattern"/> (see <see cref="SymbolGlob"/>),
    /// with its file offset, as libbpf's <c>elf_resolve_pattern_offsets</c> finds them for uprobe.multi: <c>.symtab</c>
    /// first, and <c>.dynsym</c> only when <c>.symtab</c> matched nothing (so no function is listed twice).
    /// </summary>
    /// <exception cref="BpfFormatException">The file is not a well-formed ELF64 little-endian file.</exception>
    public static IReadOnlyList<(string Name, ulong Offset)> MatchingFunctions(string path, string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        var elf = InputFiles.ReadAll(path);
        try
        {
            return MatchingFunctions(elf, pattern);
        }
        catch (BpfFormatException e)
        {
            throw e.WithFile(path);
        }
    }

    /// <summary>The functions of an ELF image matching a glob, as <see cref="MatchingFunctions(string, string)"/>.</summary>
    /// <exception cref="BpfFormatException">The image is not a well-formed ELF64 little-endian file.</exception>
    public static IReadOnlyList<(string Name, ulong Offset)> MatchingFunctions(ReadOnlySpan<byte> elf, string pattern)
    {
        var (phoff, shoff, phnum, shnum) = Header(elf);
        var sections = Slice(elf, shoff, (ulong)shnum * SectionHeaderSize, "section header table", 40);
        var found = new List<(string, ulong)>();
        foreach (var sectionType in (ReadOnlySpan<uint>)[SymtabType, DynsymType])
        {
            for (var i = 0; i < shnum; i++)
            {
                if (!TryTable(elf, sections, shoff, shnum, i, sectionType, out var symbols, out var strings, out var tableOffset)) continue;
                for (var s = 0; s + SymbolSize <= symbols.Length; s += SymbolSize)
                {
                    var sym = symbols.Slice(s, SymbolSize);
                    if (!IsDefinedFunction(sym)) continue;
                    var name = Encoding.UTF8.GetString(SymbolName(strings, sym, tableOffset + s));
                    if (!SymbolGlob.Matches(name, pattern)) continue;
                    found.Add((name, AddressToOffset(elf, phoff, phnum, sections, shnum, ReadU64(sym, 8), sym)));
                }
            }
            if (found.Count > 0) break;
        }
        return found;
    }

    private const uint SymtabType = 2, DynsymType = 11;

    private static (ulong Phoff, ulong Shoff, int Phnum, int Shnum) Header(ReadOnlySpan<byte> elf)
    {
        if (elf.Length < 64 || !elf[..4].SequenceEqual((ReadOnlySpan<byte>)[0x7f, (byte)'E', (byte)'L', (byte)'F']))
            throw Error(BpfFormatError.ElfBadHeader, "not an ELF file", 0);
        if (elf[4] != 2 || elf[5] != 1)
            throw Error(BpfFormatError.ElfBadHeader, "only ELF64 little-endian files are supported", 4);
        var shnum = BinaryPrimitives.ReadUInt16LittleEndian(elf[60..]);
        if (BinaryPrimitives.ReadUInt16LittleEndian(elf[58..]) != SectionHeaderSize && shnum != 0)
            throw Error(BpfFormatError.ElfBadHeader, "unexpected section header size", 58);
        return (ReadU64(elf, 32), ReadU64(elf, 40), BinaryPrimitives.ReadUInt16LittleEndian(elf[56..]), shnum);
    }

    private static bool TryTable(ReadOnlySpan<byte> elf, ReadOnlySpan<byte> sections, ulong shoff, int shnum, int index, uint sectionType,
        out ReadOnlySpan<byte> symbols, out ReadOnlySpan<byte> strings, out long tableOffset)
    {
        symbols = strings = default;
        tableOffset = 0;
        var header = sections.Slice(index * SectionHeaderSize, SectionHeaderSize);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != sectionType) return false;
        var headerOffset = (long)shoff + index * SectionHeaderSize;
        symbols = Slice(elf, ReadU64(header, 24), ReadU64(header, 32), "symbol table", headerOffset + 24);
        tableOffset = (long)ReadU64(header, 24);
        var link = BinaryPrimitives.ReadUInt32LittleEndian(header[40..]);
        if (link >= shnum) throw Error(BpfFormatError.ElfMalformed, "symbol table links to a missing string table", headerOffset + 40);
        var strHeader = sections.Slice((int)link * SectionHeaderSize, SectionHeaderSize);
        strings = Slice(elf, ReadU64(strHeader, 24), ReadU64(strHeader, 32), "string table", (long)shoff + link * SectionHeaderSize + 24);
        return true;
    }

    // STT_FUNC or STT_GNU_IFUNC, and defined here (st_shndx != SHN_UNDEF).
    private static bool IsDefinedFunction(ReadOnlySpan<byte> sym) =>
        (sym[4] & 0xf) is 2 or 10 && BinaryPrimitives.ReadUInt16LittleEndian(sym[6..]) != 0;

    private static ReadOnlySpan<byte> SymbolName(ReadOnlySpan<byte> strings, ReadOnlySpan<byte> sym, long symbolOffset)
    {
        var nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(sym);
        if (nameOffset >= strings.Length) throw Error(BpfFormatError.ElfBadSymbol, "symbol name outside the string table", symbolOffset);
        var name = strings[(int)nameOffset..];
        var end = name.IndexOf((byte)0);
        if (end < 0) throw Error(BpfFormatError.ElfBadSymbol, "unterminated symbol name", symbolOffset);
        return name[..end];
    }

    private static ulong AddressToOffset(ReadOnlySpan<byte> elf, ulong phoff, int phnum, ReadOnlySpan<byte> sections, int shnum, ulong address, ReadOnlySpan<byte> symbol)
    {
        if (phnum > 0)
        {
            var programHeaders = Slice(elf, phoff, (ulong)phnum * ProgramHeaderSize, "program header table", 32);
            for (var i = 0; i < phnum; i++)
            {
                var ph = programHeaders.Slice(i * ProgramHeaderSize, ProgramHeaderSize);
                if (BinaryPrimitives.ReadUInt32LittleEndian(ph) != 1) continue; // PT_LOAD
                var offset = ReadU64(ph, 8);
                var vaddr = ReadU64(ph, 16);
                var memsz = ReadU64(ph, 40);
                if (address >= vaddr && address - vaddr < memsz) return address - vaddr + offset;
            }
            throw Error(BpfFormatError.ElfBadSymbol, $"symbol address 0x{address:x} is in no loadable segment", (long)phoff);
        }
        // No program headers (a relocatable object): section-relative value.
        var shndx = BinaryPrimitives.ReadUInt16LittleEndian(symbol[6..]);
        if (shndx >= shnum) throw Error(BpfFormatError.ElfBadSymbol, "symbol refers to a missing section", 0);
        var section = sections.Slice(shndx * SectionHeaderSize, SectionHeaderSize);
        return ReadU64(section, 24) + address - ReadU64(section, 16);
    }

    private static ulong ReadU64(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt64LittleEndian(data[offset..]);

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> elf, ulong offset, ulong size, string what, long headerOffset)
    {
        if (offset > (ulong)elf.Length || size > (ulong)elf.Length - offset)
            throw Error(BpfFormatError.ElfMalformed, $"{what} at 0x{offset:x} size 0x{size:x} runs past the end of the file (0x{elf.Length:x} bytes)", headerOffset);
        return elf.Slice((int)offset, (int)size);
    }

    private static BpfFormatException Error(BpfFormatError code, string detail, long offset) =>
        new(code, BpfFormat.Elf, detail, null, offset, null);
}
