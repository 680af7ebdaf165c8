using BpfSharp.Instructions;

namespace BpfSharp.Tests.Instructions;

/// <summary>Disassembler output against llvm-objdump-19 on random instruction bytes (assembled with llvm-mc .byte).</summary>
public class LlvmObjdumpDifferentialTests
{
    public static TheoryData<int, bool, bool> Seeds()
    {
        var data = new TheoryData<int, bool, bool>();
        for (int seed = 1; seed <= 6; seed++) data.Add(seed, false, false);
        for (int seed = 11; seed <= 13; seed++) data.Add(seed, false, true);
        for (int seed = 101; seed <= 102; seed++) data.Add(seed, true, false);
        data.Add(111, true, true);
        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomSlotsMatchLlvmObjdump(int seed, bool bigEndian, bool definedOpcodesOnly)
    {
        var bytes = RandomSlots.Generate(seed, 4000, definedOpcodesOnly);
        // Any bytes survive decode → encode, in either byte order.
        Assert.Equal(bytes, InstructionEncoder.Encode(InstructionDecoder.Decode(bytes, bigEndian, strict: false), bigEndian));
        var obj = LlvmTools.Assemble(LlvmTools.RawBytesAssembly(bytes), bigEndian);
        var elf = new TestElf(obj);
        Assert.Equal(bytes, elf.CodeSections.Single().Bytes); // .byte keeps file order in both byte orders
        AssertSameText(TestElf.StripBanner(LlvmTools.Disassemble(obj, rawInstructions: true)), elf.Disassemble(raw: true));
        AssertSameText(TestElf.StripBanner(LlvmTools.Disassemble(obj)), elf.Disassemble());
    }

    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    public void RandomLabelsAndJumpsMatchLlvmObjdump(int seed)
    {
        // Jumps of every kind with small displacements, ld_imm64 pairs, and labels scattered between slots
        // (sometimes several at one slot): exercises headers, the symbol picked for a slot and jump targets.
        var random = new Random(seed);
        var assembly = new System.Text.StringBuilder("\t.text\n");
        string[] names = ["alpha", "beta", "gamma", "delta", "omega", "Zeta", "_start", "a1", "a10", "a2"];
        int label = 0;
        for (int slot = 0; slot < 600; slot++)
        {
            while (random.Next(6) == 0)
                assembly.Append(names[random.Next(names.Length)]).Append('_').Append(label++).Append(":\n");
            Instruction[] emit = random.Next(8) switch
            {
                0 => [Instruction.Goto((short)random.Next(-30, 30))],
                1 => [Instruction.GotoLong(random.Next(-700, 700))],
                2 => [Instruction.MayGoto((short)random.Next(-5, 5))],
                3 => [Instruction.Jump((JumpOperation)(random.Next(1, 14) << 4), 1, 5, (short)random.Next(-40, 40), random.Next(2) == 0)],
                4 => [Instruction.LoadImm64(2, random.NextInt64()).First, Instruction.LoadImm64(2, random.NextInt64()).Second],
                5 => [Instruction.CallPseudo(random.Next(-10, 10))],
                _ => [Instruction.Move(0, random.Next())],
            };
            var bytes = InstructionEncoder.Encode(emit);
            assembly.Append(LlvmTools.RawBytesAssembly(bytes).Replace("\t.text\n", ""));
        }
        var obj = LlvmTools.Assemble(assembly.ToString());
        var elf = new TestElf(obj);
        var symbols = elf.SymbolsOf(elf.CodeSections.Single()).ToList();
        Assert.True(symbols.GroupBy(s => s.ByteOffset).Any(g => g.Count() > 1), "expected slots with several labels");
        var expected = TestElf.StripBanner(LlvmTools.Disassemble(obj));
        Assert.Contains("+0x", expected);
        AssertSameText(expected, elf.Disassemble());
    }

    [Fact]
    public void SymbolsOffSlotBoundariesAndPastTheEndMatchLlvmObjdump()
    {
        // A symbol in the middle of a slot splits the disassembly there; a ld_imm64 read across a symbol is
        // decoded again from the symbol; symbols at the end print no header but still name jump targets.
        const string assembly =
            "\t.text\n\tr0 = 0\nmid:\n\t.byte 0x18,1,0,0\nm2:\n\t.byte 5,0,0,0, 0,0,0,0,9,0,0,0\n\tgoto +3\n\texit\nend1:\nend0:\n" +
            "\t.section empty,\"ax\",@progbits\nonly:\n" +
            "\t.section late,\"ax\",@progbits\n\tr0 = 1\n\tgoto -2\nlate_sym:\n\texit\n";
        var obj = LlvmTools.Assemble(assembly);
        var elf = new TestElf(obj);
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
