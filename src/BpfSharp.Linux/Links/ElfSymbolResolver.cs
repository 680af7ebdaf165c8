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
        if (elf.Length < 64 || !elf[..4].SequenceEqual((ReadOnlySpan<byte>)[0x7f, (byte)'E', (byte)'L', (byte)'F']))
            throw Error(BpfFormatError.ElfBadHeader, "not an ELF file", 0);
        if (elf[4] != 2 || elf[5] != 1)
            throw Error(BpfFormatError.ElfBadHeader, "only ELF64 little-endian files are supported", 4);
        var phoff = ReadU64(elf, 32);
        var shoff = ReadU64(elf, 40);
        var phnum = BinaryPrimitives.ReadUInt16LittleEndian(elf[56..]);
        var shnum = BinaryPrimitives.ReadUInt16LittleEndian(elf[60..]);
        if (BinaryPrimitives.ReadUInt16LittleEndian(elf[58..]) != SectionHeaderSize && shnum != 0)
            throw Error(BpfFormatError.ElfBadHeader, "unexpected section header size", 58);
        var sections = Slice(elf, shoff, (ulong)shnum * SectionHeaderSize, "section header table", 40);

        var wantedLength = Encoding.UTF8.GetByteCount(symbol);
        Span<byte> wanted = wantedLength <= 256 ? stackalloc byte[wantedLength] : new byte[wantedLength];
        Encoding.UTF8.GetBytes(symbol, wanted);

        // .symtab first (complete), then .dynsym (all a stripped binary keeps).
        foreach (var sectionType in (ReadOnlySpan<uint>)[2u, 11u])
        {
            for (var i = 0; i < shnum; i++)
            {
                var header = sections.Slice(i * SectionHeaderSize, SectionHeaderSize);
                if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != sectionType) continue;
                var headerOffset = (long)shoff + i * SectionHeaderSize;
                var symbols = Slice(elf, ReadU64(header, 24), ReadU64(header, 32), "symbol table", headerOffset + 24);
                var link = BinaryPrimitives.ReadUInt32LittleEndian(header[40..]);
                if (link >= shnum) throw Error(BpfFormatError.ElfMalformed, "symbol table links to a missing string table", headerOffset + 40);
                var strHeader = sections.Slice((int)link * SectionHeaderSize, SectionHeaderSize);
                var strings = Slice(elf, ReadU64(strHeader, 24), ReadU64(strHeader, 32), "string table", (long)shoff + link * SectionHeaderSize + 24);
                for (var s = 0; s + SymbolSize <= symbols.Length; s += SymbolSize)
                {
                    var sym = symbols.Slice(s, SymbolSize);
                    var kind = sym[4] & 0xf;
                    if (kind is not (2 or 10)) continue; // STT_FUNC, STT_GNU_IFUNC
                    if (BinaryPrimitives.ReadUInt16LittleEndian(sym[6..]) == 0) continue; // undefined
                    var nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(sym);
                    if (nameOffset >= strings.Length) throw Error(BpfFormatError.ElfBadSymbol, "symbol name outside the string table", (long)ReadU64(header, 24) + s);
                    var name = strings[(int)nameOffset..];
                    var end = name.IndexOf((byte)0);
                    if (end < 0) throw Error(BpfFormatError.ElfBadSymbol, "unterminated symbol name", (long)ReadU64(header, 24) + s);
                    if (!name[..end].SequenceEqual(wanted)) continue;
                    var address = ReadU64(sym, 8);
                    return AddressToOffset(elf, phoff, phnum, sections, shnum, address, sym);
                }
            }
        }
        return null;
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
