using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Loading;

namespace BpfSharp.Tests.Compiler;

/// <summary>
/// Struct globals initialised with C# object initialisers (nested ones too) get constant initial bytes, as clang
/// gives C's designated initialisers: the same sections and the same bytes per variable as its C twin, and the
/// kernel reads them. An initialiser that is not constant stays an error where a program uses the field.
/// </summary>
public sealed class StructInitializerTests
{
    private const string Source = """
        using BpfSharp.Kernel;

        [assembly: License("GPL")]

        public struct Inner
        {
            public ushort A;
            public byte B;
        }

        public struct Config
        {
            public uint Port;
            public Inner Inner;
            public long Limit;
            public bool On;
        }

        public static unsafe class Inits
        {
            static Config Writable = new() { Port = 8080, Inner = new Inner { A = 7, B = 9 }, Limit = -3, On = true };
            static readonly Config Fixed = new() { Port = 53, Limit = long.MaxValue };
            static Inner Partly = new() { B = 200 };
            static ulong Sum;

            [SyscallProgram]
            public static int touch(void* ctx)
            {
                Sum = Writable.Port + (ulong)Writable.Inner.A + Fixed.Port + Partly.B + (Writable.On ? 1000ul : 0);
                return 0;
            }
        }
        """;

    private const string CTwin = """
        #include <stdbool.h>
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>

        struct Inner { unsigned short A; unsigned char B; };
        struct Config { unsigned int Port; struct Inner Inner; long long Limit; bool On; };

        struct Config Writable = { .Port = 8080, .Inner = { .A = 7, .B = 9 }, .Limit = -3, .On = true };
        const volatile struct Config Fixed = { .Port = 53, .Limit = 0x7fffffffffffffffLL };
        struct Inner Partly = { .B = 200 };
        unsigned long long Sum;

        SEC("syscall")
        int touch(void *ctx)
        {
            Sum = Writable.Port + Writable.Inner.A + Fixed.Port + Partly.B + (Writable.On ? 1000 : 0);
            return 0;
        }

        char LICENSE[] SEC("license") = "GPL";
        """;

    [Fact]
    public void ObjectInitialisersGiveTheBytesClangGivesDesignatedInitialisers()
    {
        var ours = ObjectSpec.Read(BpfSourceCompiler.Compile("Inits", Source).GetObjectOrThrow(), "inits_cs.bpf.o");
        var dir = TestPaths.NewScratchDirectory("struct-inits");
        File.WriteAllText(Path.Combine(dir, "inits.c"), CTwin);
        var clang = ObjectSpec.Load(LoaderObjects.Compile(Path.Combine(dir, "inits.c"), mustCompile: true)!);
        Assert.Equal(Variables(clang), Variables(ours));
        // C's layout, worked out by hand: Port, Inner { A, B, pad }, Limit at 8, On at 16 and 7 bytes of padding.
        Assert.Contains("Writable in .data: 901F000007000900FDFFFFFFFFFFFFFF0100000000000000", Variables(ours));
    }

    [Fact]
    public void TheKernelReadsTheInitialisedValues()
    {
        KernelObjects.RequireBpf();
        using var c = new BpfObjectLoader(ObjectSpec.Read(BpfSourceCompiler.Compile("Inits", Source).GetObjectOrThrow(), "inits_cs.bpf.o")).Load();
        Assert.Equal(0u, c.Programs["touch"].TestRun([]).ReturnValue);
        Assert.Equal(8080ul + 7 + 53 + 200 + 1000, c.ReadVariable<ulong>("Sum"));
    }

    [Theory]
    [InlineData("static Inner Partly = new() { B = 200 };", "static Inner Partly = new() { B = (byte)System.Environment.ProcessorCount };")]
    [InlineData("static Inner Partly = new() { B = 200 };", "static Inner Partly = new() { A = 1, B = (byte)System.Environment.ProcessorCount };")]
    [InlineData("static Inner Partly = new() { B = 200 };", "static Inner Partly;\n    static Inits() { Partly.A = 1; Partly.B = (byte)System.Environment.ProcessorCount; }")]
    public void ANonConstantInitialiserIsStillAnError(string replace, string with)
    {
        Assert.Contains(replace, Source);
        var compiled = BpfSourceCompiler.Compile("BadInits", Source.Replace(replace, with.Replace("\\n", "\n")));
        Assert.False(compiled.Success);
        Assert.Contains(compiled.Diagnostics, d => d.Id == "BPFS1009" && d.Message.Contains("'Partly'", StringComparison.Ordinal));
    }

    /// <summary>Each named variable's section and initial bytes (a .bss variable is all zeros).</summary>
    private static List<string> Variables(ObjectSpec spec) =>
        [.. spec.DataSections.SelectMany(d => d.Variables.Where(v => v.Name != "LICENSE").Select(v =>
            $"{v.Name} in {d.Name}: {(d.InitialData.IsEmpty ? new string('0', (int)v.Size * 2) : Convert.ToHexString(d.InitialData.Span.Slice((int)v.Offset, (int)v.Size)))}"))
            .Order(StringComparer.Ordinal)];
}
