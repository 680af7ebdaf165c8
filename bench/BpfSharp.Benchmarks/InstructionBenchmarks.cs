using BenchmarkDotNet.Attributes;
using BpfSharp.Instructions;

namespace BpfSharp.Benchmarks;

/// <summary>
/// Decode and format one million instruction slots (a repeating mix of ALU, memory, atomic, jump, call and
/// ld_imm64 forms), in both byte orders, and the whole llvm-objdump-style disassembly into a null writer.
/// </summary>
[MemoryDiagnoser]
public class InstructionBenchmarks
{
    private const int SlotCount = 1_000_000;
    private byte[] _little = [];
    private byte[] _big = [];
    private Instruction[] _slots = [];
    private DisassemblySymbol[] _symbols = [];

    [GlobalSetup]
    public void Setup()
    {
        var (ldFirst, ldSecond) = Instruction.LoadImm64(1, 0x1234_5678_9abc_def0);
        Instruction[] pattern =
        [
            Instruction.MoveRegister(6, 1), Instruction.Alu(AluOperation.Add, 10, -8), Instruction.AluRegister(AluOperation.Xor, 3, 4, is64: false),
            Instruction.LoadMemory(MemorySize.Word, 2, 6, 16), Instruction.StoreMemory(MemorySize.DoubleWord, 10, -8, 2),
            Instruction.StoreImmediate(MemorySize.Word, 10, -4, 0), Instruction.Atomic(AtomicOperation.FetchAdd, MemorySize.DoubleWord, 0, 0, 1),
            Instruction.Jump(JumpOperation.Jgt, 2, 100, 3), Instruction.JumpRegister(JumpOperation.Jne, 1, 2, -4, is64: false),
            Instruction.CallHelper(1), ldFirst, ldSecond, Instruction.MoveSignExtend(1, 2, 16), Instruction.ByteSwap(3, 32),
            Instruction.Goto(-10), Instruction.Exit(),
        ];
        _slots = new Instruction[SlotCount];
        for (int i = 0; i < SlotCount; i++) _slots[i] = pattern[i % pattern.Length];
        _little = InstructionEncoder.Encode(_slots);
        _big = InstructionEncoder.Encode(_slots, bigEndian: true);
        _symbols = Enumerable.Range(0, SlotCount / 1000).Select(i => DisassemblySymbol.AtSlot(i * 1000, "func" + i)).ToArray();
    }

    /// <summary>Little-endian bytes to slots (a copy).</summary>
    [Benchmark]
    public int DecodeLittleEndian() => InstructionDecoder.Decode(_little, bigEndian: false, _slots, strict: true);

    /// <summary>Big-endian bytes to slots (field swaps).</summary>
    [Benchmark]
    public int DecodeBigEndian() => InstructionDecoder.Decode(_big, bigEndian: true, _slots, strict: true);

    /// <summary>Decode, then format every instruction in llvm-objdump syntax into a stack buffer.</summary>
    [Benchmark]
    public long DecodeAndFormat()
    {
        InstructionDecoder.Decode(_little, bigEndian: false, _slots, strict: false);
        Span<char> text = stackalloc char[InstructionFormatter.MaxLength];
        ReadOnlySpan<Instruction> all = _slots;
        long total = 0;
        for (int i = 0; i < all.Length; )
        {
            InstructionFormatter.TryFormat(all[i..], text, out int written, out int consumed);
            total += written;
            i += consumed;
        }
        return total;
    }

    /// <summary>The llvm-objdump layout (index column, labels, jump targets) into a null writer.</summary>
    [Benchmark]
    public void Disassemble() => Disassembler.Write(TextWriter.Null, _little, bigEndian: false, "xdp", _symbols);
}
