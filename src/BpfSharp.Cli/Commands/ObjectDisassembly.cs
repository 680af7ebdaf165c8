using BpfSharp.Instructions;
using BpfSharp.Objects;

namespace BpfSharp.Cli.Commands;

/// <summary>Whole-object disassembly in the layout of <c>llvm-objdump -d --no-show-raw-insn</c>.</summary>
internal static class ObjectDisassembly
{
    public static void Write(ObjectSpec obj, TextWriter output, string fileName)
    {
        Disassembler.WriteFileHeader(output, fileName);
        foreach (var section in obj.ProgramSections)
        {
            // llvm-objdump labels code with the section's symbols except section, file and data-object symbols.
            var symbols = obj.Symbols
                .Where(s => s.SectionIndex == section.Index && s.Type is not (ElfSymbolType.Section or ElfSymbolType.File or ElfSymbolType.Object))
                .Select(s => new DisassemblySymbol((long)s.Value, s.Name));
            Disassembler.WriteSection(output, section.Data.Span, obj.IsBigEndian, section.Name, symbols);
        }
    }
}
