using BpfSharp.Instructions;

namespace BpfSharp.Tests.Instructions;

public class InstructionEnumeratorTests
{
    [Fact]
    public void WalksLoadImm64AsOneStepAndSlotIndicesMatchLlvmObjdump()
    {
        // llvm-objdump's index column skips the second slot of a ld_imm64; the enumerator's slots must agree.
        var obj = LlvmTools.Assemble(File.ReadAllText(Path.Combine(Infrastructure.TestPaths.TestData, "insn", "forms.s")));
        var elf = new TestElf(obj);
        var text = elf.Sections.Single(s => s.Name == ".text");
        var slots = InstructionDecoder.Decode(text.Bytes);
        var objdumpIndices = LlvmTools.Disassemble(obj).Split('\n')
            .SkipWhile(l => !l.StartsWith("Disassembly of section .text")).Skip(1)
            .TakeWhile(l => !l.StartsWith("Disassembly of section"))
            .Select(l => l.Split(":\t"))
            .Where(p => p.Length == 2 && int.TryParse(p[0], out _))
            .Select(p => int.Parse(p[0])).ToList();
        var ours = new List<int>();
        int wide = 0;
        foreach (var entry in Instruction.Enumerate(slots))
        {
            ours.Add(entry.Slot);
            if (entry.IsWide)
            {
                wide++;
                Assert.Equal(Instruction.ReadImmediate64(slots, entry.Slot), entry.Immediate64);
                Assert.Equal(2, entry.SlotCount);
            }
            else
            {
                Assert.Equal(entry.Instruction.Immediate, entry.Immediate64);
            }
        }
        Assert.Equal(objdumpIndices, ours);
        Assert.True(wide >= 7);
    }

    [Fact]
    public void WriteImmediate64PatchesBothHalves()
    {
        var (first, second) = Instruction.LoadImm64(4, 1, LoadImm64Source.MapValue);
        Instruction[] slots = [Instruction.Exit(), first, second];
        Instruction.WriteImmediate64(slots, 1, -0x1234_5678_9abcL);
        Assert.Equal(-0x1234_5678_9abcL, Instruction.ReadImmediate64(slots, 1));
        Assert.Equal(LoadImm64Source.MapValue, slots[1].LoadImm64Source);
        Assert.Equal(4, slots[1].Destination);
        Assert.Throws<ArgumentException>(() => Instruction.ReadImmediate64(slots, 0));
        Assert.Throws<ArgumentException>(() => Instruction.WriteImmediate64(slots.AsSpan(0, 2), 1, 0));
    }

    [Fact]
    public void LoneLoadImm64AtTheEndIsASingleSlot()
    {
        Instruction[] slots = [Instruction.Exit(), Instruction.LoadImm64(1, 5).First];
        var entries = new List<(int Slot, bool Wide)>();
        foreach (var e in Instruction.Enumerate(slots)) entries.Add((e.Slot, e.IsWide));
        Assert.Equal([(0, false), (1, false)], entries);
    }
}
