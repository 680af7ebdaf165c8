using System.Buffers.Binary;
using System.Text;

namespace BpfSharp.Linux.Symbols;

/// <summary>A function symbol of an ELF file: its link-time address (<c>st_value</c>) and size.</summary>
/// <param name="Name">The symbol name as the file spells it (C++ names stay mangled).</param>
/// <param name="Address">The link-time virtual address.</param>
/// <param name="Size">The size in bytes (0 when the file does not say).</param>
public readonly record struct ElfSymbol(string Name, ulong Address, ulong Size);

/// <summary>
/// The function symbols of one ELF64 little-endian executable or shared object (<c>.symtab</c>, or <c>.dynsym</c>
/// when the file is stripped) sorted by address, and its loadable segments, which map a file offset (what
/// <c>/proc/PID/maps</c> gives) to the link-time address the symbols use. Built once per file and shared.
/// </summary>
public sealed class ElfSymbolTable
{
    private const int SymbolSize = 24;
    private const int SectionHeaderSize = 64;
    private const int ProgramHeaderSize = 56;

    private readonly ElfSymbol[] _symbols;
    private readonly (ulong Offset, ulong FileSize, ulong Address)[] _segments;

    private ElfSymbolTable(ElfSymbol[] symbols, (ulong, ulong, ulong)[] segments, bool isPositionIndependent)
    {
        _symbols = symbols;
        _segments = segments;
        IsPositionIndependent = isPositionIndependent;
    }

    /// <summary>The function symbols, sorted by address.</summary>
    public IReadOnlyList<ElfSymbol> Symbols => _symbols;

    /// <summary>True for <c>ET_DYN</c> files (shared objects and PIE executables), which load at a bias.</summary>
    public bool IsPositionIndependent { get; }

    /// <summary>Reads the symbols of the ELF file at <paramref name="path"/>.</summary>
    /// <exception cref="BpfFormatException">Not a well-formed ELF64 little-endian file (the file is named).</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ElfSymbolTable Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return Parse(InputFiles.ReadAll(path));
        }
        catch (BpfFormatException e)
        {
            throw e.WithFile(path);
        }
    }

    /// <summary>Reads the symbols of an ELF image.</summary>
    /// <exception cref="BpfFormatException">Not a well-formed ELF64 little-endian file; names the offset.</exception>
    public static ElfSymbolTable Parse(ReadOnlySpan<byte> elf)
    {
        if (elf.Length < 64 || !elf[..4].SequenceEqual((ReadOnlySpan<byte>)[0x7f, (byte)'E', (byte)'L', (byte)'F']))
            throw Error(BpfFormatError.ElfBadHeader, "not an ELF file", 0);
        if (elf[4] != 2 || elf[5] != 1)
            throw Error(BpfFormatError.ElfBadHeader, "only ELF64 little-endian files are supported", 4);
        var type = BinaryPrimitives.ReadUInt16LittleEndian(elf[16..]);
        var phoff = ReadU64(elf, 32);
        var shoff = ReadU64(elf, 40);
        var phnum = BinaryPrimitives.ReadUInt16LittleEndian(elf[56..]);
        var shnum = BinaryPrimitives.ReadUInt16LittleEndian(elf[60..]);
        if (shnum != 0 && BinaryPrimitives.ReadUInt16LittleEndian(elf[58..]) != SectionHeaderSize)
            throw Error(BpfFormatError.ElfBadHeader, "unexpected section header size", 58);
        if (phnum != 0 && BinaryPrimitives.ReadUInt16LittleEndian(elf[54..]) != ProgramHeaderSize)
            throw Error(BpfFormatError.ElfBadHeader, "unexpected program header size", 54);

        var segments = new List<(ulong, ulong, ulong)>();
        var programHeaders = Slice(elf, phoff, (ulong)phnum * ProgramHeaderSize, "program header table", 32);
        for (var i = 0; i < phnum; i++)
        {
            var ph = programHeaders.Slice(i * ProgramHeaderSize, ProgramHeaderSize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(ph) != 1) continue; // PT_LOAD
            segments.Add((ReadU64(ph, 8), ReadU64(ph, 32), ReadU64(ph, 16)));
        }

        var sections = Slice(elf, shoff, (ulong)shnum * SectionHeaderSize, "section header table", 40);
        var symbols = new List<ElfSymbol>();
        // .symtab is complete; a stripped file keeps only .dynsym.
        foreach (var sectionType in (ReadOnlySpan<uint>)[2u, 11u])
        {
            for (var i = 0; i < shnum; i++)
            {
                var header = sections.Slice(i * SectionHeaderSize, SectionHeaderSize);
                if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != sectionType) continue;
                ReadSymbols(elf, sections, shoff, i, shnum, symbols);
            }
            if (symbols.Count > 0) break;
        }
        symbols.Sort(static (a, b) => a.Address != b.Address ? a.Address.CompareTo(b.Address) : string.CompareOrdinal(a.Name, b.Name));
        return new ElfSymbolTable(symbols.ToArray(), segments.ToArray(), type == 3);
    }

    /// <summary>
    /// The link-time address of a byte at <paramref name="fileOffset"/>, through the loadable segment that holds
    /// it; null when no segment does.
    /// </summary>
    public ulong? AddressOfFileOffset(ulong fileOffset)
    {
        foreach (var (offset, size, address) in _segments)
            if (fileOffset >= offset && fileOffset - offset < size) return fileOffset - offset + address;
        return null;
    }

    /// <summary>
    /// The function containing link-time address <paramref name="address"/>: the last symbol at or below it, if
    /// the address is inside its size (or the symbol has no size).
    /// </summary>
    public bool TryFind(ulong address, out ElfSymbol symbol, out ulong offset)
    {
        symbol = default;
        offset = 0;
        int low = 0, high = _symbols.Length - 1, found = -1;
        while (low <= high)
        {
            var mid = low + ((high - low) >> 1);
            if (_symbols[mid].Address <= address) { found = mid; low = mid + 1; }
            else high = mid - 1;
        }
        if (found < 0) return false;
        // Among symbols starting at or below the address, prefer one whose extent covers it (aliases and sized
        // neighbours), walking back over a short run of equal starts.
        for (var i = found; i >= 0 && i > found - 8; i--)
        {
            var candidate = _symbols[i];
            if (candidate.Size == 0 || address - candidate.Address < candidate.Size)
            {
                symbol = candidate;
                offset = address - candidate.Address;
                return true;
            }
            if (i > 0 && _symbols[i - 1].Address != candidate.Address) break;
        }
        return false;
    }

    private static void ReadSymbols(ReadOnlySpan<byte> elf, ReadOnlySpan<byte> sections, ulong shoff, int index, int shnum, List<ElfSymbol> into)
    {
        var header = sections.Slice(index * SectionHeaderSize, SectionHeaderSize);
        var headerOffset = (long)shoff + index * SectionHeaderSize;
        var table = Slice(elf, ReadU64(header, 24), ReadU64(header, 32), "symbol table", headerOffset + 24);
        var link = BinaryPrimitives.ReadUInt32LittleEndian(header[40..]);
        if (link >= shnum) throw Error(BpfFormatError.ElfMalformed, "symbol table links to a missing string table", headerOffset + 40);
        var strHeader = sections.Slice((int)link * SectionHeaderSize, SectionHeaderSize);
        var strings = Slice(elf, ReadU64(strHeader, 24), ReadU64(strHeader, 32), "string table", (long)shoff + link * SectionHeaderSize + 24);
        for (var s = 0; s + SymbolSize <= table.Length; s += SymbolSize)
        {
            var sym = table.Slice(s, SymbolSize);
            var kind = sym[4] & 0xf;
            if (kind is not (2 or 10)) continue; // STT_FUNC, STT_GNU_IFUNC
            if (BinaryPrimitives.ReadUInt16LittleEndian(sym[6..]) == 0) continue; // undefined (an import)
            var value = ReadU64(sym, 8);
            if (value == 0) continue;
            var nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(sym);
            if (nameOffset >= strings.Length)
                throw Error(BpfFormatError.ElfBadSymbol, "symbol name outside the string table", (long)ReadU64(header, 24) + s);
            var name = strings[(int)nameOffset..];
            var end = name.IndexOf((byte)0);
            if (end < 0) throw Error(BpfFormatError.ElfBadSymbol, "unterminated symbol name", (long)ReadU64(header, 24) + s);
            if (end == 0) continue;
            into.Add(new ElfSymbol(Encoding.UTF8.GetString(name[..end]), value, ReadU64(sym, 16)));
        }
    }

    private static ulong ReadU64(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt64LittleEndian(data[offset..]);

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> elf, ulong offset, ulong size, string what, long headerOffset)
    {
        if (size == 0) return default;
        if (offset > (ulong)elf.Length || size > (ulong)elf.Length - offset)
            throw Error(BpfFormatError.ElfMalformed, $"{what} at 0x{offset:x} size 0x{size:x} runs past the end of the file (0x{elf.Length:x} bytes)", headerOffset);
        return elf.Slice((int)offset, (int)size);
    }

    private static BpfFormatException Error(BpfFormatError code, string detail, long offset) =>
        new(code, BpfFormat.Elf, detail, null, offset, null);
}
