using System.Buffers.Binary;
using BpfSharp.Objects;

namespace BpfSharp.Tests.Robustness;

/// <summary>Builds hostile variants of a little-endian ELF64 object by editing header fields in place.</summary>
internal static class ElfPatch
{
    private const int ShdrSize = 64, SymSize = 24;

    private static int SectionHeader(byte[] elf, int index) =>
        (int)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(0x28)) + index * ShdrSize;

    public static byte[] SectionSize(byte[] elf, string section, ulong size) => SectionField(elf, section, 0x20, size);

    public static byte[] SectionAlignment(byte[] elf, string section, ulong alignment) => SectionField(elf, section, 0x30, alignment);

    private static byte[] SectionField(byte[] elf, string section, int field, ulong value)
    {
        var spec = ObjectSpec.Read(elf);
        var s = spec.Sections.Single(x => x.Name == section);
        var copy = (byte[])elf.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(copy.AsSpan(SectionHeader(copy, s.Index) + field), value);
        return copy;
    }

    public static byte[] SymbolSize(byte[] elf, string symbol, ulong size)
    {
        var spec = ObjectSpec.Read(elf);
        var symtab = spec.Sections.Single(x => x.Name == ".symtab");
        var sym = spec.Symbols.Single(x => x.Name == symbol);
        var copy = (byte[])elf.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(copy.AsSpan((int)symtab.FileOffset + sym.Index * SymSize + 16), size);
        return copy;
    }
}
