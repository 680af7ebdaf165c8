using BpfSharp.Instructions;

namespace BpfSharp.Tests.Instructions;

/// <summary>Factory methods produce the same slots llvm-mc assembles from the same text; accessors read them back.</summary>
public class InstructionFactoryTests
{
    private static readonly (Instruction[] Slots, string Assembly)[] Cases =
    [
        ([Instruction.Move(1, 5)], "r1 = 5"),
        ([Instruction.Move(1, -5, is64: false)], "w1 = -5"),
        ([Instruction.MoveRegister(6, 1)], "r6 = r1"),
        ([Instruction.MoveRegister(6, 1, is64: false)], "w6 = w1"),
        ([Instruction.Alu(AluOperation.Add, 10, -8)], "r10 += -8"),
        ([Instruction.Alu(AluOperation.Lsh, 2, 32, is64: false)], "w2 <<= 32"),
        ([Instruction.AluRegister(AluOperation.Arsh, 3, 4)], "r3 s>>= r4"),
        ([Instruction.AluRegister(AluOperation.Xor, 3, 4, is64: false)], "w3 ^= w4"),
        ([Instruction.SignedDivide(1, 7)], "r1 s/= 7"),
        ([Instruction.SignedModulo(1, 7, is64: false)], "w1 s%= 7"),
        ([Instruction.MoveSignExtend(1, 2, 8)], "r1 = (s8)r2"),
        ([Instruction.MoveSignExtend(1, 2, 32)], "r1 = (s32)r2"),
        ([Instruction.MoveSignExtend(1, 2, 16, is64: false)], "w1 = (s16)w2"),
        ([Instruction.Negate(4)], "r4 = -r4"),
        ([Instruction.Negate(4, is64: false)], "w4 = -w4"),
        ([Instruction.ToEndian(1, 16, bigEndian: true)], "r1 = be16 r1"),
        ([Instruction.ToEndian(1, 64, bigEndian: false)], "r1 = le64 r1"),
        ([Instruction.ByteSwap(1, 32)], "r1 = bswap32 r1"),
        ([Instruction.LoadImm64(1, 0x123456789abcdef0).First, Instruction.LoadImm64(1, 0x123456789abcdef0).Second], "r1 = 0x123456789abcdef0 ll"),
        ([Instruction.LoadImm64(2, -1).First, Instruction.LoadImm64(2, -1).Second], "r2 = -1 ll"),
        ([Instruction.LoadMemory(MemorySize.Word, 1, 2, 8)], "r1 = *(u32 *)(r2 + 8)"),
        ([Instruction.LoadMemory(MemorySize.DoubleWord, 0, 10, -16)], "r0 = *(u64 *)(r10 - 16)"),
        ([Instruction.LoadMemorySignExtend(MemorySize.Byte, 1, 2, 0)], "r1 = *(s8 *)(r2 + 0)"),
        ([Instruction.LoadMemorySignExtend(MemorySize.HalfWord, 1, 2, 2)], "r1 = *(s16 *)(r2 + 2)"),
        ([Instruction.StoreMemory(MemorySize.HalfWord, 10, -2, 3)], "*(u16 *)(r10 - 2) = r3"),
        ([Instruction.StoreImmediate(MemorySize.DoubleWord, 10, -8, 0)], "*(u64 *)(r10 - 8) = 0"),
        ([Instruction.Atomic(AtomicOperation.Add, MemorySize.DoubleWord, 1, 0, 2)], "lock *(u64 *)(r1 + 0) += r2"),
        ([Instruction.Atomic(AtomicOperation.FetchXor, MemorySize.Word, 1, 4, 2)], "w2 = atomic_fetch_xor((u32 *)(r1 + 4), w2)"),
        ([Instruction.Atomic(AtomicOperation.Xchg, MemorySize.DoubleWord, 1, 0, 2)], "r2 = xchg_64(r1 + 0, r2)"),
        ([Instruction.Atomic(AtomicOperation.CmpXchg, MemorySize.DoubleWord, 1, 0, 2)], "r0 = cmpxchg_64(r1 + 0, r0, r2)"),
        ([Instruction.LoadPacketAbsolute(MemorySize.HalfWord, 12)], "r0 = *(u16 *)skb[12]"),
        ([Instruction.LoadPacketIndirect(MemorySize.Byte, 3)], "r0 = *(u8 *)skb[r3]"),
        ([Instruction.Jump(JumpOperation.Jsgt, 1, -1, 3)], "if r1 s> -1 goto +3"),
        ([Instruction.Jump(JumpOperation.Jset, 1, 4, -2, is64: false)], "if w1 & 4 goto -2"),
        ([Instruction.JumpRegister(JumpOperation.Jle, 1, 2, 0)], "if r1 <= r2 goto +0"),
        ([Instruction.JumpRegister(JumpOperation.Jne, 1, 2, 1, is64: false)], "if w1 != w2 goto +1"),
        ([Instruction.Goto(-1)], "goto -1"),
        ([Instruction.GotoLong(-5)], "gotol -5"),
        ([Instruction.MayGoto(2)], "may_goto +2"),
        ([Instruction.CallHelper(1)], "call 1"),
        ([Instruction.Exit()], "exit"),
    ];

    [Fact]
    public void FactoriesEncodeLikeLlvmMc()
    {
        var assembly = "\t.text\n" + string.Concat(Cases.Select(c => "\t" + c.Assembly + "\n"));
        var obj = LlvmTools.Assemble(assembly);
        var text = new TestElf(obj).Sections.Single(s => s.Name == ".text").Bytes;
        var slots = InstructionDecoder.Decode(text);
        int at = 0;
        foreach (var (expected, asm) in Cases)
        {
            for (int i = 0; i < expected.Length; i++, at++)
                Assert.True(expected[i] == slots[at], $"{asm}: factory {expected[i]} but llvm-mc {slots[at]}");
        }
        Assert.Equal(slots.Length, at);
    }

    [Fact]
    public void AccessorsReadTheOpcodeFields()
    {
        var load = Instruction.LoadMemorySignExtend(MemorySize.HalfWord, 1, 2, -4);
        Assert.Equal(InstructionClass.Ldx, load.Class);
        Assert.Equal(MemoryMode.MemSx, load.MemoryMode);
        Assert.Equal(MemorySize.HalfWord, load.MemorySize);
        Assert.Equal(2, load.MemoryAccessSize);
        Assert.True(load.IsMemoryLoad && load.IsMemoryAccess && !load.IsMemoryStore && !load.IsAtomic);

        var store = Instruction.StoreImmediate(MemorySize.DoubleWord, 10, -8, 7);
        Assert.True(store.IsMemoryStore && store.IsMemoryAccess);
        Assert.Equal(8, store.MemoryAccessSize);

        var atomic = Instruction.Atomic(AtomicOperation.FetchAdd, MemorySize.Word, 1, 0, 2);
        Assert.True(atomic.IsAtomic && !atomic.IsMemoryStore);
        Assert.Equal(AtomicOperation.FetchAdd, atomic.AtomicOperation);
        Assert.Equal(4, atomic.MemoryAccessSize);

        var alu = Instruction.AluRegister(AluOperation.Mod, 3, 4, is64: false);
        Assert.True(alu.IsAlu && !alu.IsAlu64);
        Assert.Equal(AluOperation.Mod, alu.AluOperation);
        Assert.Equal(OperandSource.Register, alu.OperandSource);
        Assert.Equal(0, alu.MemoryAccessSize);

        var jump = Instruction.Jump(JumpOperation.Jlt, 1, 9, -3, is64: false);
        Assert.True(jump.IsJump && jump.IsConditionalJump);
        Assert.Equal(JumpOperation.Jlt, jump.JumpOperation);
        Assert.Equal(10 + 1 - 3, jump.JumpTarget(10));
        Assert.Equal(10 + 1 + 70000, Instruction.GotoLong(70000).JumpTarget(10));
        Assert.False(Instruction.Goto(0).IsConditionalJump);
        Assert.False(Instruction.MayGoto(1).IsConditionalJump);
        Assert.True(Instruction.MayGoto(1).IsJump);

        Assert.True(Instruction.CallHelper(12).IsHelperCall && Instruction.CallHelper(12).IsCall);
        Assert.False(Instruction.CallHelper(12).IsJump);
        var pseudo = Instruction.CallPseudo(-7);
        Assert.True(pseudo.IsPseudoCall && !pseudo.IsHelperCall && !pseudo.IsKfuncCall);
        Assert.Equal(20 + 1 - 7, pseudo.JumpTarget(20));
        var kfunc = Instruction.CallKfunc(12345, 2);
        Assert.True(kfunc.IsKfuncCall);
        Assert.Equal(CallSource.KfuncCall, kfunc.CallSource);
        Assert.Equal(2, kfunc.Offset);
        Assert.True(Instruction.Exit().IsExit);

        var (first, second) = Instruction.LoadImm64(3, 42, LoadImm64Source.MapValue);
        Assert.True(first.IsLoadImm64);
        Assert.Equal(2, first.SlotCount);
        Assert.Equal(LoadImm64Source.MapValue, first.LoadImm64Source);
        Assert.Equal(42, Instruction.CombineImmediate64(first, second));
        Assert.Equal(unchecked((long)0xfedcba9876543210), Instruction.CombineImmediate64(
            Instruction.LoadImm64(0, unchecked((long)0xfedcba9876543210)).First, Instruction.LoadImm64(0, unchecked((long)0xfedcba9876543210)).Second));
        var func = Instruction.LoadImm64(1, 5, LoadImm64Source.Func).First;
        Assert.True(func.IsPseudoFunc);
        Assert.Equal(1 + 1 + 5, func.JumpTarget(1));

        Assert.Equal(MemorySize.HalfWord, Instruction.SizeFromBytes(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Instruction.SizeFromBytes(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Instruction.MoveSignExtend(1, 2, 32, is64: false));
        Assert.Throws<ArgumentOutOfRangeException>(() => Instruction.ByteSwap(1, 8));
    }

    [Fact]
    public void WithersAndRawValueRoundTrip()
    {
        var insn = new Instruction(0x61, 3, 11, -20, 0x7fff0000);
        Assert.Equal(insn, Instruction.FromRawValue(insn.RawValue));
        Assert.Equal(0x7fff0000_ffecb361UL, insn.RawValue);
        var changed = insn.WithDestination(9).WithSource(1).WithOffset(8).WithImmediate(-1).WithOpcode(0x79);
        Assert.Equal(new Instruction(0x79, 9, 1, 8, -1), changed);
        Assert.Equal(8, System.Runtime.CompilerServices.Unsafe.SizeOf<Instruction>());
    }

    [Fact]
    public void ValidOpcodesFollowTheInstructionSet()
    {
        int defined = 0;
        for (int op = 0; op < 256; op++) if (new Instruction((byte)op, 0, 0, 0, 0).IsValidOpcode) defined++;
        // RFC 9669 appendix A counts: ALU/ALU64 2*(13*2 - 1 [neg X]) + 3 end = 53, JMP 11*2 + ja + call + exit + may_goto = 26,
        // JMP32 11*2 + gotol = 23, LD 1 + 3 + 3 = 7, LDX 4 + 3 = 7, ST 4, STX 4 + 4 atomic (b/h/w/dw, load-acquire) = 8.
        Assert.Equal(53 + 26 + 23 + 7 + 7 + 4 + 8, defined);
        Assert.False(new Instruction(0x8d, 0, 0, 0, 0).IsValidOpcode); // callx: LLVM only
        Assert.False(new Instruction(0x00, 0, 0, 0, 0).IsValidOpcode);
        Assert.False(new Instruction(0x99, 0, 0, 0, 0).IsValidOpcode); // 64-bit sign-extending load
        Assert.True(new Instruction(0xd7, 0, 0, 0, 0).IsValidOpcode);  // bswap
        Assert.False(new Instruction(0xdf, 0, 0, 0, 0).IsValidOpcode);
    }
}
