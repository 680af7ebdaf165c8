using BpfSharp.Compiler;
using BpfSharp.Instructions;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Compiler;

/// <summary>
/// The code shape of the value-range analysis (<c>ValueRanges</c>: an <c>int</c> proven to be its own sign
/// extension is not extended again), of the in-place sum of an operand that dies there (coalescing in the register
/// allocator, and <c>CommutativeOperands</c> for a base added to a dying index) and of dead stack-store elimination
/// (<c>DeadStackStores</c>: zeroing that every path overwrites before a read is dropped, zeroing a helper reads is
/// kept). Each program's instructions are checked for the shape and then run in the kernel (BPF_PROG_TEST_RUN),
/// whose results must be what the same C# computes on .NET.
/// </summary>
public sealed class RangeShapeTests
{
    private const string Source = """
        using BpfSharp.Kernel;

        [assembly: License("GPL")]

        public unsafe struct ShapeSlots
        {
            public fixed ulong Values[16];
        }

        public struct ShapeFullKey
        {
            public uint Pid;
            public uint Cpu;
        }

        public struct ShapePaddedKey
        {
            public uint Pid;
            public ulong Stamp;
        }

        public struct ShapeRecord
        {
            public uint Used;
            public uint Count;
        }

        public static unsafe class CodeShapePrograms
        {
            static readonly ArrayMap<ShapeSlots> ShapeSlotsMap = new(maxEntries: 1);
            static readonly ArrayMap<long> ShapeInput = new(maxEntries: 1);
            static readonly ArrayMap<long> ShapeWide = new(maxEntries: 1);
            static readonly ArrayMap<uint> ShapeIndex = new(maxEntries: 1);
            static readonly ArrayMap<ShapeRecord> ShapeRecords = new(maxEntries: 1);
            static readonly HashMap<ShapeFullKey, ulong> ShapeFullCounts = new(maxEntries: 4);
            static readonly HashMap<ShapePaddedKey, ulong> ShapePaddedCounts = new(maxEntries: 4);

            static long Input()
            {
                long* input = ShapeInput.Lookup(0);
                return input == null ? 0 : *input;
            }

            [Xdp]
            public static int SumSlots(XdpMd* ctx)
            {
                ShapeSlots* s = ShapeSlotsMap.Lookup(0);
                if (s == null)
                    return -1;
                ulong sum = 0;
                for (int i = 0; i < 16; i++)
                    sum += s->Values[i] * (ulong)(i + 1);
                return (int)sum;
            }

            [Xdp]
            public static int MaskedIndex(XdpMd* ctx)
            {
                ShapeSlots* s = ShapeSlotsMap.Lookup(0);
                if (s == null)
                    return -1;
                int k = (int)(Input() & 15);
                return (int)s->Values[k];
            }

            [Xdp]
            public static int UnsignedIndex(XdpMd* ctx)
            {
                ShapeSlots* s = ShapeSlotsMap.Lookup(0);
                if (s == null)
                    return -1;
                uint* index = ShapeIndex.Lookup(0);
                uint u = index == null ? 0 : *index;
                if (u >= 16)
                    return -2;
                return (int)s->Values[(int)u];
            }

            [Xdp]
            public static int AppendLength(XdpMd* ctx)
            {
                ShapeRecord* r = ShapeRecords.Lookup(0);
                if (r == null)
                    return -1;
                r->Used = 0;
                for (int i = 0; i < 4; i++)
                {
                    uint used = r->Used;
                    long n = Input(); // a helper call: used lives in a callee-saved register, n arrives in r0
                    if (n <= 0)
                        break;
                    r->Used = used + (uint)n;
                }

                return (int)r->Used;
            }

            [Xdp]
            public static int WidenSigned(XdpMd* ctx)
            {
                int k = (int)Input();
                long wide = k;
                ShapeWide.Update(0, wide);
                return 0;
            }

            [Xdp]
            public static int FullKey(XdpMd* ctx)
            {
                // Zeroed, then an unrelated helper call (the input's lookup), then every byte written.
                ShapeFullKey key = default;
                uint pid = (uint)Input();
                key.Pid = pid;
                key.Cpu = Bpf.GetSmpProcessorId();
                ShapeFullCounts.Update(key, 5);
                return 0;
            }

            [Xdp]
            public static int PaddedKey(XdpMd* ctx)
            {
                ShapePaddedKey key = default;
                key.Pid = (uint)Input();
                key.Stamp = 77;
                ShapePaddedCounts.Update(key, 6);
                return 0;
            }

            [Xdp]
            public static int PartialRead(XdpMd* ctx)
            {
                ShapeFullKey key = default;
                key.Pid = (uint)Input();
                ShapeFullKey* p = &key;
                return (int)(p->Cpu + 10);
            }
        }
        """;

    private static readonly Lazy<BpfCompilation> Compiled = new(() => BpfSourceCompiler.Compile("CodeShapePrograms", Source));

    private static ObjectSpec Spec()
    {
        var compilation = Compiled.Value;
        Assert.True(compilation.Success, string.Join("\n", compilation.Diagnostics));
        return ObjectSpec.Read(compilation.Object!, "codeshape.bpf.o");
    }

    private static Instruction[] Code(string program) => Spec().FindProgram(program)!.Instructions.ToArray();

    private static string Listing(string program) => string.Join("\n", Code(program).Select(i => i.ToString()));

    // A sign extension: <<= 32 then s>>= (the pair, or folded into a scaled index), or movsx.
    private static bool SignExtends(Instruction i) =>
        i.Class == InstructionClass.Alu64 && (i.AluOperation == AluOperation.Arsh
            || (i.AluOperation == AluOperation.Mov && i.OperandSource == OperandSource.Register && i.Offset == 32));

    // A zero store to the frame other than the 4-byte map key 0 of the lookups.
    private static bool ZeroesStack(Instruction i) =>
        i.Class == InstructionClass.St && i.Destination == 10 && i.Immediate == 0 && i.MemorySize != MemorySize.Word;

    [Theory]
    [InlineData("SumSlots")]
    [InlineData("MaskedIndex")]
    [InlineData("UnsignedIndex")]
    public void ProvenNonNegativeIndexIsNotSignExtended(string program)
    {
        Assert.False(Code(program).Any(SignExtends), $"{program} still sign-extends its index:\n{Listing(program)}");
    }

    [Fact]
    public void PossiblyNegativeIntIsStillSignExtended()
    {
        Assert.True(Code("WidenSigned").Any(SignExtends), "WidenSigned lost its sign extension:\n" + Listing("WidenSigned"));
    }

    [Fact]
    public void SumOfADeadOperandIsComputedInPlace()
    {
        // r->Used = used + (uint)n, used dead afterwards: clang's `w9 += w0; *(u32 *)(r6 + 0) = w9`, not a copy
        // of used into a third register first (`w1 = w9; w1 += w0`).
        var code = Code("AppendLength");
        var stores = Enumerable.Range(2, code.Length - 2)
            .Where(k => code[k].Class == InstructionClass.Stx && code[k].MemorySize == MemorySize.Word && code[k].Offset == 0 && code[k].Destination != 10)
            .ToList();
        Assert.True(stores.Count == 1, "expected one register store to Used:\n" + Listing("AppendLength"));
        var at = stores[0];
        var add = code[at - 1];
        Assert.True(add.IsAlu && add.AluOperation == AluOperation.Add && add.OperandSource == OperandSource.Register
            && add.Destination == code[at].Source, "Used is not stored straight from the add:\n" + Listing("AppendLength"));
        var before = code[at - 2];
        Assert.False(before.IsAlu && before.AluOperation == AluOperation.Mov && before.Destination == add.Destination,
            "the sum copies its first operand before adding:\n" + Listing("AppendLength"));
    }

    [Fact]
    public void ScaledIndexTakesTheBaseInPlace()
    {
        // &s->Values[i]: the base stays live and the scaled index dies, so the add goes into the index's register
        // (CommutativeOperands): `r0 <<= 3; r0 += r7`, not `r0 <<= 3; r1 = r7; r1 += r0`.
        var code = Code("SumSlots");
        var shifts = Enumerable.Range(0, code.Length)
            .Where(k => code[k].Class == InstructionClass.Alu64 && code[k].AluOperation == AluOperation.Lsh && code[k].Immediate == 3)
            .ToList();
        Assert.True(shifts.Count > 0, "no index scaled by 8:\n" + Listing("SumSlots"));
        foreach (var k in shifts)
        {
            var d = code[k].Destination;
            var next = code.Skip(k + 1).First(i => i.Destination == d || (i.OperandSource == OperandSource.Register && i.Source == d));
            Assert.True(next.IsAlu && next.AluOperation == AluOperation.Add && next.Destination == d,
                $"the scaled index in r{d} is not where the base is added:\n" + Listing("SumSlots"));
        }
    }

    [Fact]
    public void ZeroingOverwrittenBeforeTheHelperReadsItIsDropped()
    {
        Assert.False(Code("FullKey").Any(ZeroesStack), "FullKey still zeroes its fully written key:\n" + Listing("FullKey"));
    }

    [Fact]
    public void ZeroingOfPaddingAHelperReadsIsKept()
    {
        Assert.True(Code("PaddedKey").Any(ZeroesStack), "PaddedKey lost the zeroing of its key's padding:\n" + Listing("PaddedKey"));
        Assert.True(Code("PartialRead").Any(ZeroesStack), "PartialRead lost the zeroing of the field it reads:\n" + Listing("PartialRead"));
    }

    [Fact]
    public void ProgramsRunInTheKernelAsOnDotnet()
    {
        var spec = Spec();
        KernelObjects.RequireBpf();
        using var collection = BpfCollection.Load(spec);
        var slots = collection.Maps["ShapeSlotsMap"];
        var input = collection.Maps["ShapeInput"];
        var values = new ulong[16];
        for (var k = 0; k < 16; k++) values[k] = (ulong)(k * k + 3);
        slots.Update(BitConverter.GetBytes(0u), values.SelectMany(BitConverter.GetBytes).ToArray());
        int Run(string program, long value)
        {
            input.Update(BitConverter.GetBytes(0u), BitConverter.GetBytes(value));
            collection.Maps["ShapeIndex"].Update(BitConverter.GetBytes(0u), BitConverter.GetBytes((uint)value));
            return (int)collection.Programs[program].TestRun(new byte[64]).ReturnValue;
        }

        ulong sum = 0;
        for (var k = 0; k < 16; k++) sum += values[k] * (ulong)(k + 1);
        Assert.Equal((int)sum, Run("SumSlots", 0));
        foreach (var value in new long[] { 0, 5, 15, 16, 31, -1, -16, 0x1_0000_0003, int.MinValue, uint.MaxValue })
        {
            Assert.Equal((int)values[(int)(value & 15)], Run("MaskedIndex", value));
            var u = (uint)value;
            Assert.Equal(u >= 16 ? -2 : (int)values[(int)u], Run("UnsignedIndex", value));
            Assert.Equal(0, Run("WidenSigned", value));
            var wide = new byte[8];
            Assert.True(collection.Maps["ShapeWide"].TryLookup(BitConverter.GetBytes(0u), wide));
            Assert.Equal((long)(int)value, BitConverter.ToInt64(wide));
            Assert.Equal(10, Run("PartialRead", value));
        }

        Assert.Equal(4 * 7, Run("AppendLength", 7));
        Assert.Equal(0, Run("AppendLength", -3));
        Assert.Equal(0, Run("FullKey", 1234));
        Assert.Equal(0, Run("PaddedKey", 4321));
        // The keys as user space builds them (zero padding): found only if the program wrote the same bytes.
        var count = new byte[8];
        var fullKeys = collection.Maps["ShapeFullCounts"];
        var fullKey = new byte[8];
        Assert.True(fullKeys.TryGetNextKey(default, fullKey), "FullKey stored nothing");
        Assert.Equal(1234u, BitConverter.ToUInt32(fullKey, 0));
        Assert.True(fullKeys.TryLookup(fullKey, count));
        Assert.Equal(5ul, BitConverter.ToUInt64(count));
        var paddedKey = new byte[16];
        BitConverter.GetBytes(4321u).CopyTo(paddedKey, 0);
        BitConverter.GetBytes(77ul).CopyTo(paddedKey, 8);
        Assert.True(collection.Maps["ShapePaddedCounts"].TryLookup(paddedKey, count), "the padded key with zero padding is not in the map");
        Assert.Equal(6ul, BitConverter.ToUInt64(count));
    }
}
