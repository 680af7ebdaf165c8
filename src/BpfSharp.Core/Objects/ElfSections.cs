using System.Buffers.Binary;

namespace BpfSharp.Objects;

/// <summary>
/// A small, bounds-checked ELF64 section lookup used where only one section's bytes are wanted
/// (the <c>.BTF</c> of vmlinux or a <c>.ko</c>), without building a full object model.
/// </summary>
public static class ElfSections
{
    /// <summary>Returns the contents of the named section, or null if the ELF has no such section.</summary>
    /// <exception cref="BpfFormatException">The ELF headers are malformed.</exception>
    public static ReadOnlyMemory<byte>? FindSection(byte[] elf, string name, string? path = null)
    {
        BpfFormatException Bad(string detail, long offset) =>
            new(BpfFormatError.ElfMalformed, BpfFormat.Elf, detail, "ELF header", offset, path);

        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new BpfFormatException(BpfFormatError.ElfBadHeader, BpfFormat.Elf, "not an ELF file", "ELF header", 0, path);
        if (elf[4] != 2) throw new BpfFormatException(BpfFormatError.ElfBadHeader, BpfFormat.Elf, "not a 64-bit ELF file", "ELF header", 4, path);
        bool be = elf[5] switch
        {
            1 => false,
            2 => true,
            _ => throw new BpfFormatException(BpfFormatError.ElfBadHeader, BpfFormat.Elf, $"bad data encoding {elf[5]}", "ELF header", 5, path),
        };
        ulong U64(int at) => be ? BinaryPrimitives.ReadUInt64BigEndian(elf.AsSpan(at)) : BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(at));
        uint U32(int at) => be ? BinaryPrimitives.ReadUInt32BigEndian(elf.AsSpan(at)) : BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(at));
        ushort U16(int at) => be ? BinaryPrimitives.ReadUInt16BigEndian(elf.AsSpan(at)) : BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(at));

        ulong shoff = U64(0x28);
        int shentsize = U16(0x3a);
        uint shnum = U16(0x3c);
        uint shstrndx = U16(0x3e);
        if (shoff == 0) return null;
        if (shentsize < 64) throw Bad($"section header size {shentsize} is below 64", 0x3a);
        if (shoff > (ulong)elf.Length || shoff + (ulong)shentsize > (ulong)elf.Length)
            throw Bad($"section header table at 0x{shoff:x} is beyond the file", 0x28);
        if (shnum == 0) shnum = (uint)Math.Min(U64((int)shoff + 0x20), uint.MaxValue); // SHN_UNDEF's sh_size
        if (shstrndx == 0xffff) shstrndx = U32((int)shoff + 0x28);                     // SHN_XINDEX: sh_link
        if (shoff + (ulong)shnum * (ulong)shentsize > (ulong)elf.Length)
            throw Bad($"{shnum} section headers at 0x{shoff:x} do not fit in the file", 0x28);
        if (shstrndx >= shnum) throw Bad($"section name table index {shstrndx} is not below {shnum}", 0x3e);

        (ulong off, ulong size, uint type) Header(uint index)
        {
            int at = (int)(shoff + index * (ulong)shentsize);
            return (U64(at + 0x18), U64(at + 0x20), U32(at + 4));
        }

        var (strOff, strSize, _) = Header(shstrndx);
        if (strOff > (ulong)elf.Length || strSize > (ulong)elf.Length - strOff)
            throw Bad("section name table is beyond the file", (long)shoff);
        ReadOnlySpan<byte> names = elf.AsSpan((int)strOff, (int)strSize);
        Span<byte> wanted = stackalloc byte[System.Text.Encoding.UTF8.GetByteCount(name)];
        System.Text.Encoding.UTF8.GetBytes(name, wanted);

        for (uint i = 1; i < shnum; i++)
        {
            int at = (int)(shoff + i * (ulong)shentsize);
            uint nameOff = U32(at);
            if (nameOff >= names.Length) continue;
            var n = names[(int)nameOff..];
            int nul = n.IndexOf((byte)0);
            if (nul < 0) continue;
            if (!n[..nul].SequenceEqual(wanted)) continue;
            var (off, size, type) = Header(i);
            if (type == 8 /* SHT_NOBITS */) return ReadOnlyMemory<byte>.Empty;
            if (off > (ulong)elf.Length || size > (ulong)elf.Length - off)
                throw new BpfFormatException(BpfFormatError.ElfMalformed, BpfFormat.Elf,
                    $"section {name} [0x{off:x}, +0x{size:x}) is beyond the file ({elf.Length} bytes)", name, 0, path);
            return new ReadOnlyMemory<byte>(elf, (int)off, (int)size);
        }
        return null;
    }
}
