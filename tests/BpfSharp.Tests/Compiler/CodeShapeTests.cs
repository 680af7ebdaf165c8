using System.Reflection;
using System.Runtime.Loader;
using BpfSharp.Instructions;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace BpfSharp.Tests.Compiler;

/// <summary>
/// The code-shape passes of the backend (BranchThreading, DeadDefinitions, MaskedEquality, SingleBitTest,
/// ConstantArmHoisting, ContextLoadHoisting), each on a small program built as the tools are (Release IL): the shape
/// each pass is for must show in the instructions, and the program must still compute what .NET computes from the
/// same source (the pure methods run on .NET from an in-memory build of the same text, the programs under
/// BPF_PROG_TEST_RUN over inputs set in a map).
/// </summary>
public sealed unsafe class CodeShapeTests(ITestOutputHelper output)
{
    private const string Source = """
        using BpfSharp.Kernel;
        namespace Shapes;

        public struct ShapeInput { public uint A; public uint B; public uint C; public uint Flags; public long Counter; public long Out; }

        // Plain C#: runs on .NET as the oracle and is inlined into the programs below.
        public static class ShapeLogic
        {
            public static bool Traced(uint pid, uint mine, uint target)
            {
                if (pid == mine) return false;
                return target == 0 || pid == target;
            }

            public static int Family(uint family)
            {
                if (family != 2 && family != 10) return 0;
                return (int)family + 1;
            }

            public static int Bits(uint flags, uint a, uint b) => Combine((flags & 2) == 0 ? 1 : 0, (flags & 4) != 0 ? 1 : 0, (flags & 1) != 0 ? 1 : 0, a, b);

            public static int Combine(int noAudit, int inSetId, int low, uint a, uint b) => noAudit * 100 + inSetId * 10 + low + (int)(a ^ b);
        }

        public static unsafe class ShapePrograms
        {
            public static readonly ArrayMap<ShapeInput> ShapeIn = new(maxEntries: 1);

            [Xdp]
            public static int ShapeTraced(void* ctx)
            {
                var input = ShapeIn.Lookup(0);
                if (input == null) return -1;
                if (!ShapeLogic.Traced(input->A, input->B, input->C)) return 7;
                return 9;
            }

            [Xdp]
            public static int ShapeFamily(void* ctx)
            {
                var input = ShapeIn.Lookup(0);
                if (input == null) return -1;
                return ShapeLogic.Family(input->A);
            }

            [Xdp]
            public static int ShapeBits(void* ctx)
            {
                var input = ShapeIn.Lookup(0);
                if (input == null) return -1;
                return ShapeLogic.Bits(input->Flags, input->A, input->B);
            }

            [Xdp]
            public static int ShapeAtomic(void* ctx)
            {
                var input = ShapeIn.Lookup(0);
                if (input == null) return -1;
                System.Threading.Interlocked.Add(ref input->Counter, input->A);
                return 0;
            }

            [Xdp]
            public static int ShapeSelect(void* ctx)
            {
                var input = ShapeIn.Lookup(0);
                if (input == null) return -1;
                input->Out = (input->Flags & 8) != 0 ? -1 : (long)(Bpf.KtimeGetNs() & 0xffff);
                return 0;
            }

            [SocketFilter]
            public static int ShapeContext(SkBuff* skb)
            {
                var input = ShapeIn.Lookup(0);
                if (input == null) return 0;
                if (input->A == 0) return 1;
                return (int)skb->Len;
            }
        }
        """;

    private struct ShapeInput
    {
        public uint A;
        public uint B;
        public uint C;
        public uint Flags;
        public long Counter;
        public long Out;
    }

    private static readonly Lazy<byte[]> Object = new(() =>
    {
        var compilation = BpfSourceCompiler.Compile("ShapePrograms", Source);
        Assert.True(compilation.Success, string.Join("\n", compilation.Diagnostics));
        return compilation.Object!;
    });

    private static readonly Lazy<Type> Logic = new(() =>
    {
        var tree = CSharpSyntaxTree.ParseText(Source, new CSharpParseOptions(LanguageVersion.Latest));
        var compilation = CSharpCompilation.Create("ShapeLogicOnDotNet", [tree], PlatformReferences.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, optimizationLevel: OptimizationLevel.Release));
        using var pe = new MemoryStream();
        var emitted = compilation.Emit(pe);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        pe.Position = 0;
        return new AssemblyLoadContext("shape-logic", isCollectible: true).LoadFromStream(pe).GetType("Shapes.ShapeLogic")!;
    });

    private static T Run<T>(string method, params object[] args) =>
        (T)Logic.Value.GetMethod(method, BindingFlags.Public | BindingFlags.Static)!.Invoke(null, args)!;

    private Instruction[] Code(string program)
    {
        var spec = ObjectSpec.Read(Object.Value, "shapes.bpf.o");
        var code = spec.Programs.Single(p => p.Name == program).Instructions.ToArray();
        output.WriteLine(string.Join("\n", code.Select((i, k) => $"{k,3}: {i}")));
        return code;
    }

    private static bool IsConditional(Instruction i) =>
        i.Class is InstructionClass.Jmp or InstructionClass.Jmp32 && (i.Opcode & 0xf0) is not (0x00 or 0x80 or 0x90);

    private static bool IsGoto(Instruction i) => i.Class == InstructionClass.Jmp && (i.Opcode & 0xf0) == 0x00;

    private static bool IsMoveImmediate(Instruction i) =>
        i.Class is InstructionClass.Alu or InstructionClass.Alu64 && (i.Opcode & 0xf8) == 0xb0;

    [Fact]
    public void InlinedBool_IsNotMaterialisedThenTested()
    {
        // Without threading: `r1 = 0; goto J` / `r1 = 1` ... `J: if w1 != 0`; a test of a register that was just set
        // to a constant (directly or through a goto) must not remain.
        var code = Code("ShapeTraced");
        for (var k = 0; k < code.Length; k++)
        {
            if (!IsMoveImmediate(code[k]) || k + 1 >= code.Length)
            {
                continue;
            }

            var next = k + 1;
            if (IsGoto(code[next]))
            {
                next = next + 1 + code[next].Offset;
            }

            Assert.False(next < code.Length && IsConditional(code[next]) && code[next].Destination == code[k].Destination && (code[next].Opcode & 0x08) == 0,
                $"instruction {next} tests r{code[k].Destination}, set to a constant at {k}");
        }
    }

    [Fact]
    public void TwoConstantsOneBitApart_AreOneMaskedTest()
    {
        var code = Code("ShapeFamily");
        Assert.Contains(code, i => i.Class is InstructionClass.Alu or InstructionClass.Alu64 && (i.Opcode & 0xf8) == 0x50 && i.Immediate == ~8);
        Assert.Equal(2, code.Count(IsConditional)); // the map's null check and the one masked comparison
    }

    [Fact]
    public void SingleBitFlagsAsValues_HaveNoBranches()
    {
        var code = Code("ShapeBits");
        Assert.Equal(1, code.Count(IsConditional)); // only the map's null check
    }

    [Fact]
    public void AtomicAddWithUnusedResult_DoesNotFetch()
    {
        var atomic = Assert.Single(Code("ShapeAtomic"), i => i.Class == InstructionClass.Stx && (i.Opcode & 0xe0) == 0xc0);
        Assert.Equal(0, atomic.Immediate & 0x01);
    }

    [Fact]
    public void ConstantSideOfASelect_IsSetBeforeTheBranch()
    {
        var code = Code("ShapeSelect");
        Assert.DoesNotContain(code, IsGoto);
        Assert.Contains(Enumerable.Range(1, code.Length - 1),
            k => IsConditional(code[k]) && IsMoveImmediate(code[k - 1]) && code[k - 1].Immediate == -1);
    }

    [Fact]
    public void ContextLoads_AreMadeWhereTheContextArrives()
    {
        var code = Code("ShapeContext");
        Assert.DoesNotContain(code, i => i.Class == InstructionClass.Alu64 && i.Opcode == 0xbf && i.Source == 1); // no rX = r1
        var firstCall = Array.FindIndex(code, i => i.Opcode == 0x85);
        var load = Array.FindIndex(code, i => i.Class == InstructionClass.Ldx && i.Source == 1);
        Assert.InRange(load, 0, firstCall);
    }

    [Fact]
    public void InTheKernel_EveryProgramComputesWhatDotNetComputes()
    {
        KernelObjects.RequireBpf();
        using var collection = BpfCollection.Load(ObjectSpec.Read(Object.Value, "shapes.bpf.o"));
        var map = collection.Maps["ShapeIn"];
        var packet = new byte[64];
        uint[] values = [0, 1, 2, 3, 7, 8, 10, 11, 26, 0x7fffffff, 0xffffffff];
        int RunWith(string program, ShapeInput input)
        {
            map.Update(0u, input);
            return (int)collection.Programs[program].TestRun(packet).ReturnValue;
        }

        foreach (var a in values)
        {
            foreach (var b in (uint[])[0, a, a + 1])
            {
                foreach (var c in (uint[])[0, a, 5])
                {
                    Assert.Equal(Run<bool>("Traced", a, b, c) ? 9 : 7, RunWith("ShapeTraced", new ShapeInput { A = a, B = b, C = c }));
                }
            }

            Assert.Equal(Run<int>("Family", a), RunWith("ShapeFamily", new ShapeInput { A = a }));
            foreach (var flags in (uint[])[0, 1, 2, 4, 6, 7, 0x10, 0xfffffffb, 0xffffffff])
            {
                Assert.Equal(Run<int>("Bits", flags, a, 3u), RunWith("ShapeBits", new ShapeInput { Flags = flags, A = a, B = 3 }));
            }
        }

        map.Update(0u, new ShapeInput { A = 5, Counter = 10 });
        collection.Programs["ShapeAtomic"].TestRun(packet);
        collection.Programs["ShapeAtomic"].TestRun(packet);
        Assert.True(map.TryLookup(0u, out ShapeInput after));
        Assert.Equal(20, after.Counter);

        RunWith("ShapeSelect", new ShapeInput { Flags = 8 | 1, Out = 5 });
        Assert.True(map.TryLookup(0u, out after));
        Assert.Equal(-1, after.Out);
        RunWith("ShapeSelect", new ShapeInput { Flags = 1, Out = -5 });
        Assert.True(map.TryLookup(0u, out after));
        Assert.InRange(after.Out, 0, 0xffff);

        Assert.Equal(1, RunWith("ShapeContext", new ShapeInput { A = 0 }));
        // A socket filter's test run hands the program an skb whose Ethernet header has been pulled (eth_type_trans).
        Assert.Equal(packet.Length - 14, RunWith("ShapeContext", new ShapeInput { A = 1 }));
    }
}
