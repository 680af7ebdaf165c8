using BpfSharp.Instructions;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Instructions;

/// <summary>
/// Whole objects (the llvm-mc form corpus and compiled C) disassembled by BpfSharp and by llvm-objdump-19,
/// plus decode → encode identity of every code section.
/// </summary>
public class ObjectDisassemblyTests
{
    private static string Corpus => Path.Combine(TestPaths.TestData, "insn", "forms.s");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FormCorpusMatchesLlvmObjdump(bool bigEndian)
    {
        var obj = LlvmTools.Assemble(File.ReadAllText(Corpus), bigEndian);
        CheckObject(obj);
    }

    public static TheoryData<string, bool> CompiledVariants()
    {
        var data = new TheoryData<string, bool>();
        foreach (var cpu in new[] { "v2", "v3", "v4" })
        {
            data.Add(cpu, false);
            data.Add(cpu, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CompiledVariants))]
    public void CompiledProgramsMatchLlvmObjdump(string cpu, bool bigEndian)
    {
        var dir = TestPaths.NewScratchDirectory("insn-cc");
        try
        {
            foreach (var source in Directory.GetFiles(Path.Combine(TestPaths.TestData, "insn"), "*.c"))
            {
                var obj = LlvmTools.CompileC(source, dir, cpu, bigEndian);
                CheckObject(File.ReadAllBytes(obj));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void CodeSectionFoundThroughElfSectionsDecodesLikeTheTestReader()
    {
        var obj = LlvmTools.Assemble(File.ReadAllText(Corpus));
        var text = BpfSharp.Objects.ElfSections.FindSection(obj, ".text");
        Assert.NotNull(text);
        var fromProduct = InstructionDecoder.Decode(text.Value.Span);
        var fromTest = InstructionDecoder.Decode(new TestElf(obj).Sections.Single(s => s.Name == ".text").Bytes);
        Assert.Equal(fromTest, fromProduct);
        Assert.True(fromProduct.Length > 250);
    }

    private static void CheckObject(byte[] obj)
    {
        var elf = new TestElf(obj);
        Assert.NotEmpty(elf.CodeSections);
        LlvmObjdumpDifferentialTests.AssertSameText(TestElf.StripBanner(LlvmTools.Disassemble(obj)), elf.Disassemble());
        LlvmObjdumpDifferentialTests.AssertSameText(TestElf.StripBanner(LlvmTools.Disassemble(obj, rawInstructions: true)), elf.Disassemble(raw: true));
        foreach (var section in elf.CodeSections)
        {
            // Real code is well formed: strict decoding accepts it, and encoding gives the same bytes back.
            var slots = InstructionDecoder.Decode(section.Bytes, elf.BigEndian, strict: true, section.Name);
            Assert.Equal(section.Bytes, InstructionEncoder.Encode(slots, elf.BigEndian));
            // Swapping the byte order and back is also an identity.
            var swapped = InstructionEncoder.Encode(slots, !elf.BigEndian);
            Assert.Equal(slots, InstructionDecoder.Decode(swapped, !elf.BigEndian));
        }
    }
}
