using System.Buffers.Binary;
using System.Text;
using BpfSharp.Instructions;

namespace BpfSharp.Tests.Instructions;

/// <summary>
/// Just enough ELF64 reading for the instruction tests: executable sections and the symbols llvm-objdump labels
/// them with. Independent of the product's object reader so that the two can check each other.
/// </summary>
internal sealed class TestElf
{
    public sealed record Section(int Index, string Name, ulong Flags, uint Type, byte[] Bytes);

    public bool BigEndian { get; }
    public IReadOnlyList<Section> Sections { get; }
    private readonly List<(int SectionIndex, long Value, int Type, string Name)> _symbols = [];

    public TestElf(byte[] elf)
    {
        BigEndian = elf[5] == 2;
        bool be = BigEndian;
        ulong U64(int at) => be ? BinaryPrimitives.ReadUInt64BigEndian(elf.AsSpan(at)) : BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(at));
        uint U32(int at) => be ? BinaryPrimitives.ReadUInt32BigEndian(elf.AsSpan(at)) : BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(at));
        ushort U16(int at) => be ? BinaryPrimitives.ReadUInt16BigEndian(elf.AsSpan(at)) : BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(at));
        int shoff = (int)U64(0x28), shentsize = U16(0x3a), shnum = U16(0x3c), shstrndx = U16(0x3e);
        var headers = new List<(uint Name, uint Type, ulong Flags, int Offset, int Size, int Link, int EntSize)>();
        for (int i = 0; i < shnum; i++)
        {
            int at = shoff + i * shentsize;
            headers.Add((U32(at), U32(at + 4), U64(at + 8), (int)U64(at + 0x18), (int)U64(at + 0x20), (int)U32(at + 0x28), (int)U64(at + 0x38)));
        }
        string Str(int table, uint offset)
        {
            var h = headers[table];
            var span = elf.AsSpan(h.Offset + (int)offset);
            return Encoding.UTF8.GetString(span[..span.IndexOf((byte)0)]);
        }
        var sections = new List<Section>();
        for (int i = 0; i < shnum; i++)
        {
            var h = headers[i];
            var bytes = h.Type == 8 ? new byte[h.Size] : elf.AsSpan(h.Offset, h.Size).ToArray();
            sections.Add(new Section(i, Str(shstrndx, h.Name), h.Flags, h.Type, bytes));
            if (h.Type == 2 /* SHT_SYMTAB */)
            {
                for (int at = h.Offset + h.EntSize; at < h.Offset + h.Size; at += h.EntSize)
                {
                    uint name = U32(at);
                    int info = elf[at + 4];
                    int shndx = U16(at + 6);
                    long value = (long)U64(at + 8);
                    _symbols.Add((shndx, value, info & 0xf, Str(h.Link, name)));
                }
            }
        }
        Sections = sections;
    }

    /// <summary>Sections llvm-objdump -d disassembles: SHF_EXECINSTR.</summary>
    public IEnumerable<Section> CodeSections => Sections.Where(s => (s.Flags & 0x4) != 0);

    /// <summary>The symbols llvm-objdump shows for a section: not STT_SECTION (3), STT_FILE (4) or STT_OBJECT (1).</summary>
    public IEnumerable<DisassemblySymbol> SymbolsOf(Section section) =>
        _symbols.Where(s => s.SectionIndex == section.Index && s.Type is not (1 or 3 or 4))
                .Select(s => new DisassemblySymbol(s.Value, s.Name));

    /// <summary>The whole-object disassembly in llvm-objdump's layout, starting at the first section banner.</summary>
    public string Disassemble(bool raw = false)
    {
        var writer = new StringWriter { NewLine = "\n" };
        foreach (var section in CodeSections)
        {
            Disassembler.WriteSection(writer, section.Bytes, BigEndian, section.Name, SymbolsOf(section), raw);
        }
        return writer.ToString();
    }

    /// <summary>llvm-objdump output with the file banner removed (starts at the first section banner).</summary>
    public static string StripBanner(string objdump)
    {
        int at = objdump.IndexOf("\nDisassembly of section", StringComparison.Ordinal);
        return at < 0 ? "" : objdump[at..];
    }
}
