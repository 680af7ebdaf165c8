using System.Buffers;
using System.Text;
using BpfSharp.Instructions;

namespace BpfSharp.Tests.Instructions;

public class InstructionDecoderTests
{
    [Fact]
    public void BigEndianSlotsSwapRegisterNibblesAndFieldBytes()
    {
        // r1 = *(u32 *)(r2 - 8) as llvm-mc -triple bpfeb writes it.
        var obj = LlvmTools.Assemble("\tr1 = *(u32 *)(r2 - 8)\n\tr3 = 0x1122334455667788 ll\n", bigEndian: true);
        var bytes = new TestElf(obj).Sections.Single(s => s.Name == ".text").Bytes;
        Assert.Equal(new byte[] { 0x61, 0x12, 0xff, 0xf8, 0, 0, 0, 0 }, bytes[..8]);
        var slots = InstructionDecoder.Decode(bytes, bigEndian: true);
        Assert.Equal(Instruction.LoadMemory(MemorySize.Word, 1, 2, -8), slots[0]);
        Assert.Equal(0x1122334455667788, Instruction.CombineImmediate64(slots[1], slots[2]));
        Assert.Equal(bytes, InstructionEncoder.Encode(slots, bigEndian: true));
    }

    [Fact]
    public void LittleEndianViewIsZeroCopy()
    {
        var bytes = InstructionEncoder.Encode([Instruction.Move(0, 7), Instruction.Exit()]);
        var view = InstructionDecoder.AsInstructions(bytes);
        Assert.Equal(2, view.Length);
        Assert.Equal(Instruction.Exit(), view[1]);
        bytes[8] = 0x05; // the view sees changes to the bytes
        Assert.Equal(0x05, view[1].Opcode);
        Assert.True(InstructionEncoder.AsBytes(view).SequenceEqual(bytes));
    }

    [Fact]
    public void LengthNotAMultipleOfEightIsTruncated()
    {
        var e = Assert.Throws<BpfFormatException>(() => InstructionDecoder.Decode(new byte[20], section: "xdp", sectionOffset: 0x100));
        Assert.Equal(BpfFormatError.InsnTruncated, e.ErrorCode);
        Assert.Equal("xdp", e.Section);
        Assert.Equal(0x100 + 16, e.SectionOffset);
        Assert.Contains("xdp+0x110: BPFF0401 InsnTruncated", e.Message);
        Assert.Throws<BpfFormatException>(() => InstructionDecoder.AsInstructions(new byte[7]));
    }

    [Fact]
    public void LoneLoadImm64AtTheEndFailsInStrictMode()
    {
        var bytes = InstructionEncoder.Encode([Instruction.Exit(), Instruction.LoadImm64(1, 5).First]);
        var e = Assert.Throws<BpfFormatException>(() => InstructionDecoder.Decode(bytes, section: "tc"));
        Assert.Equal(BpfFormatError.InsnBadLdImm64, e.ErrorCode);
        Assert.Equal(8, e.SectionOffset);
        Assert.Equal(BpfFormat.Instructions, e.Format);
        // Lenient decoding keeps the slot as data.
        var slots = InstructionDecoder.Decode(bytes, strict: false);
        Assert.True(slots[1].IsLoadImm64);
    }

    [Fact]
    public void LoadImm64WithAMalformedSecondSlotFailsInStrictMode()
    {
        var (first, _) = Instruction.LoadImm64(1, 5);
        var bytes = InstructionEncoder.Encode([first, Instruction.Exit()]);
        var e = Assert.Throws<BpfFormatException>(() => InstructionDecoder.Decode(bytes));
        Assert.Equal(BpfFormatError.InsnBadLdImm64, e.ErrorCode);
        Assert.False(InstructionDecoder.TryValidate(InstructionDecoder.Decode(bytes, strict: false), out int bad, out var detail));
        Assert.Equal(0, bad);
        Assert.Contains("second slot", detail);
        // The second slot of a well-formed pair is not itself mistaken for a ld_imm64 (its imm may be anything).
        var ok = Instruction.LoadImm64(2, 0x18_0000_0000L);
        Assert.True(InstructionDecoder.TryValidate([ok.First, ok.Second, Instruction.Exit()], out _, out _));
    }

    [Fact]
    public void UndefinedOpcodesDecodeAsData()
    {
        var bytes = new byte[] { 0xff, 0x21, 1, 0, 2, 0, 0, 0, 0x8d, 0x01, 0, 0, 0, 0, 0, 0 };
        var slots = InstructionDecoder.Decode(bytes);
        Assert.False(slots[0].IsValidOpcode);
        Assert.Equal(0xff, slots[0].Opcode);
        Assert.Equal(1, slots[0].Destination);
        Assert.Equal(2, slots[0].Source);
        Assert.Equal("<unknown>", InstructionFormatter.Format(slots));
        Assert.False(slots[1].IsValidOpcode);
        Assert.Equal("callx r1", InstructionFormatter.Format(slots.AsSpan(1)));
        Assert.Equal(bytes, InstructionEncoder.Encode(slots));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(12)]
    [InlineData(20)]
    public void TruncatedStreamsDisassembleLikeLlvmObjdump(int tailBytes)
    {
        // exit, then a ld_imm64 cut short (or a partial slot): llvm-objdump falls back to one byte at a time.
        var bytes = new List<byte>(InstructionEncoder.Encode([Instruction.Exit()]));
        var ld = InstructionEncoder.Encode([Instruction.LoadImm64(1, 0x1_0000_0005).First, Instruction.LoadImm64(1, 0x1_0000_0005).Second]);
        bytes.AddRange(ld.Take(Math.Min(tailBytes, 15)));
        if (tailBytes > 15) bytes.AddRange(new byte[] { 0x95, 0, 0, 0, 0 });
        var obj = LlvmTools.Assemble(LlvmTools.RawBytesAssembly(bytes.ToArray()));
        var elf = new TestElf(obj);
        LlvmObjdumpDifferentialTests.AssertSameText(TestElf.StripBanner(LlvmTools.Disassemble(obj, rawInstructions: true)), elf.Disassemble(raw: true));
    }

    [Fact]
    public void FormatterWritesIntoEverySink()
    {
        var (first, second) = Instruction.LoadImm64(3, -2);
        ReadOnlySpan<Instruction> slots = [first, second, Instruction.Exit()];

        var builder = new StringBuilder("x: ");
        Assert.Equal(2, InstructionFormatter.Format(slots, builder));
        Assert.Equal("x: r3 = -0x2 ll", builder.ToString());

        var buffer = new ArrayBufferWriter<char>();
        Assert.Equal(1, InstructionFormatter.Format(slots[2..], buffer));
        Assert.Equal("exit", buffer.WrittenSpan.ToString());

        var text = new StringWriter();
        InstructionFormatter.Format(slots, text);
        Assert.Equal("r3 = -0x2 ll", text.ToString());

        Span<char> small = stackalloc char[5];
        Assert.False(InstructionFormatter.TryFormat(slots, small, out int written, out _));
        Assert.Equal(0, written);
        Span<char> enough = stackalloc char[InstructionFormatter.MaxLength];
        Assert.True(InstructionFormatter.TryFormat(slots, enough, out written, out int consumed));
        Assert.Equal("r3 = -0x2 ll", enough[..written].ToString());
        Assert.Equal(2, consumed);

        // One slot of a ld_imm64 alone cannot be decoded.
        Assert.Equal("<unknown>", InstructionFormatter.Format(slots[..1]));
        Assert.StartsWith("exit (code=0x95", Instruction.Exit().ToString());
    }

    [Fact]
    public void LabelOverloadMatchesSymbolOverload()
    {
        Instruction[] program =
        [
            Instruction.Move(0, 0), Instruction.Jump(JumpOperation.Jeq, 1, 0, 1), Instruction.CallPseudo(1),
            Instruction.Exit(), Instruction.Move(0, 1), Instruction.Exit(),
        ];
        var viaLabels = new StringWriter { NewLine = "\n" };
        Disassembler.Write(viaLabels, program, "tc", i => i switch { 0 => "main", 4 => "helper", _ => null });
        var expected =
            "\n0000000000000000 <main>:\n" +
            "       0:\tr0 = 0x0\n" +
            "       1:\tif r1 == 0x0 goto +0x1 <main+0x18>\n" +
            "       2:\tcall 0x1\n" +
            "       3:\texit\n" +
            "\n0000000000000020 <helper>:\n" +
            "       4:\tr0 = 0x1\n" +
            "       5:\texit\n";
        Assert.Equal(expected, viaLabels.ToString());
        Assert.Equal(expected, Disassembler.ToText(InstructionEncoder.Encode(program), false, "tc",
            [DisassemblySymbol.AtSlot(4, "helper"), DisassemblySymbol.AtSlot(0, "main")]));
    }

    [Fact]
    public void DecodingAndFormattingAllocateNothing()
    {
        var obj = LlvmTools.Assemble(File.ReadAllText(Path.Combine(Infrastructure.TestPaths.TestData, "insn", "forms.s")));
        var bytes = new TestElf(obj).Sections.Single(s => s.Name == ".text").Bytes;
        var slots = new Instruction[bytes.Length / 8];
        Span<char> text = stackalloc char[InstructionFormatter.MaxLength];
        long total = 0;
        Run(bytes, slots, text, ref total); // warm up (JIT, statics)
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int round = 0; round < 10; round++) Run(bytes, slots, text, ref total);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(total > 0);

        static void Run(byte[] bytes, Instruction[] slots, Span<char> text, ref long total)
        {
            InstructionDecoder.Decode(bytes, bigEndian: false, slots);
            InstructionDecoder.Decode(bytes, bigEndian: true, slots, strict: false);
            ReadOnlySpan<Instruction> all = slots;
            for (int i = 0; i < all.Length; )
            {
                InstructionFormatter.TryFormat(all[i..], text, out int written, out int consumed);
                total += written;
                i += consumed;
            }
        }
    }
}
