using BpfSharp.Instructions;

namespace BpfSharp.Tests.Instructions;

/// <summary>Disassembler output against llvm-objdump-19 on random instruction bytes (assembled with llvm-mc .byte).</summary>
public class LlvmObjdumpDifferentialTests
{
    public static TheoryData<int, bool> Seeds()
    {
        var data = new TheoryData<int, bool>();
        for (int seed = 1; seed <= 6; seed++) data.Add(seed, false);
        for (int seed = 101; seed <= 102; seed++) data.Add(seed, true);
        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomSlotsMatchLlvmObjdump(int seed, bool bigEndian)
    {
        var bytes = RandomSlots.Generate(seed, 4000);
        var obj = LlvmTools.Assemble(LlvmTools.RawBytesAssembly(bytes), bigEndian);
        var elf = new TestElf(obj);
        Assert.Equal(bytes, elf.CodeSections.Single().Bytes); // .byte keeps file order in both byte orders
        AssertSameText(TestElf.StripBanner(LlvmTools.Disassemble(obj, rawInstructions: true)), elf.Disassemble(raw: true));
        AssertSameText(TestElf.StripBanner(LlvmTools.Disassemble(obj)), elf.Disassemble());
    }

    internal static void AssertSameText(string expected, string actual)
    {
        if (expected == actual) return;
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        var report = new System.Text.StringBuilder();
        int shown = 0;
        for (int i = 0; i < Math.Max(e.Length, a.Length) && shown < 15; i++)
        {
            string el = i < e.Length ? e[i] : "<missing>", al = i < a.Length ? a[i] : "<missing>";
            if (el == al) continue;
            report.Append("line ").Append(i + 1).Append("\n  llvm-objdump: ").Append(el).Append("\n  BpfSharp:     ").Append(al).Append('\n');
            shown++;
        }
        Assert.Fail($"{e.Length} vs {a.Length} lines; first differences:\n{report}");
    }
}
