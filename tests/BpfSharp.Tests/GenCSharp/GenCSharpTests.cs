using System.Diagnostics;
using System.Text;
using BpfSharp.Btf;
using BpfSharp.Btf.Formatting;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.GenCSharp;

/// <summary>The C# printer's rules on a small object (testdata/gen-csharp/edge.c), determinism and the command line.</summary>
public class GenCSharpTests
{
    private static readonly Lazy<string> EdgeSource = new(() =>
    {
        string dir = TestPaths.NewScratchDirectory("gen-csharp-edge");
        string obj = Path.Combine(dir, "edge.o");
        ExternalTool.RunChecked("clang-19", "-O2", "-g", "-target", "bpf", "-c", Path.Combine(TestPaths.TestData, "gen-csharp", "edge.c"), "-o", obj);
        return BtfCSharpFormatter.Format(BtfSpec.Load(obj), new CSharpBindingsOptions { Namespace = "Edge" });
    });

    [Theory]
    [InlineData("[Relocatable(\"keywords\")]\npublic unsafe partial struct Keywords\n{\n    public int @new;\n    public int @object;")]
    [InlineData("    public Keywords* @this;\n")]
    [InlineData("[BtfName(\"Keywords2\")] public int Keywords2_2;")]                      // a field named like its type
    [InlineData("[Relocatable(\"Edge\")]\npublic unsafe partial struct Edge_2\n")]        // Pascal names collide: id order
    [InlineData("[Relocatable(\"edge\")]\npublic unsafe partial struct Edge\n")]
    [InlineData("    public fixed byte comm[16];\n    public fixed byte bytes[4];\n    public fixed sbyte sbytes[2];\n    public fixed bool flags[3];")]
    [InlineData("    public InlineArray2OfInlineArray3OfInt32 matrix;\n    public InlineArray4OfEdge edges;\n    public InlineArray3OfArraysPtr ptrs;\n    public InlineArray2OfVoidPtr voids;\n    public InlineArray2OfColor colors;\n    public InlineArray2OfUInt128 wide;\n    public InlineArray2OfAtomicLikeT atomics;")]
    [InlineData("[InlineArray(3)]\npublic unsafe struct InlineArray3OfArraysPtr\n{\n    public Arrays* Element0;\n}")]
    [InlineData("[FlexibleArray] public fixed byte data[1];")]
    [InlineData("[FlexibleArray] public InlineArray1OfEdge items;")]
    [InlineData("    [Bitfield(3)] public uint a;\n    [Bitfield(5)] public uint b;\n    [Bitfield(7)] public int c;\n    [Bitfield(40)] public ulong d;\n    [Bitfield(8)] public Color e;\n    [Bitfield(1)] public bool f;\n    public byte g;")]
    [InlineData("    public byte c;\n    public sbyte sc;\n    public byte uc;\n    public bool flag;\n    public short s;\n    public ushort us;\n    public int i;\n    public uint ui;\n    public long l;\n    public ulong ul;\n    public long ll;\n    public ulong ull;\n    public global::System.Int128 big;\n    public global::System.UInt128 ubig;\n    public float f;\n    public double d;\n    public uint inner_state;\n    public uint td;\n    public Small sm;\n    public Big64 b64;\n    public Neg64 n64;\n    public Sign sg;")]
    [InlineData("public enum Big64 : ulong\n{\n    B_SMALL = 1,\n    B_HUGE = 18364758544493064720,\n}")]
    [InlineData("public enum Neg64 : long\n{\n    N_MIN = -9223372036854775808,\n    N_ONE = 1,\n}")]
    [InlineData("public enum Sign : int\n{\n    NEG = -1,\n    MINUS_BIG = -2147483648,\n    POS = 3,\n}")]
    [InlineData("public enum Small : byte\n{\n    S_A = 1,\n    S_B = 200,\n}")]
    [InlineData("public static class KernelConstants\n{\n    public const uint INNER_ONE = 1;\n    public const uint INNER_TWO = 2;\n    public const uint TD_X = 1;\n    public const uint TD_Y = 2;\n}")]
    [InlineData("    public UndefinedAnywhere* fwd;\n    public UndefinedUnion* fwdu;\n    public int* cv;\n    public void* fp;\n    public void* vp;\n    public Pointers** pp;\n    public void* parr;\n    public byte* str;\n    public AtomicLikeT* atomic;\n    public AnonPtr* anon_ptr;\n    public Flex* flex;")]
    [InlineData("// Declared only: the BTF has no definition.\n[Relocatable(\"undefined_union\")]\n[StructLayout(LayoutKind.Explicit)]\npublic unsafe partial struct UndefinedUnion\n{\n}")]
    [InlineData("// C: typedef struct { ... } atomic_like_t\n[Relocatable, Anonymous]\npublic unsafe partial struct AtomicLikeT\n{\n    public int counter;\n}")]
    [InlineData("[Relocatable(\"value\")]\n[StructLayout(LayoutKind.Explicit)]\npublic unsafe partial struct Value\n{\n    [FieldOffset(0)] public int i;")]
    [InlineData("    [Anonymous] public Anon1 anon1;\n    public Named named;\n    public InlineArray2OfPair pair;\n    public AtomicLikeT refs;")]
    [InlineData("    [Relocatable, Anonymous]\n    [StructLayout(LayoutKind.Explicit)]\n    public unsafe partial struct Anon1\n    {\n        [FieldOffset(0), Anonymous] public Anon1_2 anon1;\n        [FieldOffset(0)] public ulong key;")]
    [InlineData("    [InlineArray(2)]\n    public unsafe struct InlineArray2OfPair\n    {\n        public Pair Element0;\n    }")]
    public void EdgeCasesFollowTheDocumentedRules(string expected)
    {
        string source = EdgeSource.Value;
        Assert.True(source.Contains(expected, StringComparison.Ordinal), $"missing:\n{expected}\n--- in ---\n{source}");
    }

    [Fact]
    public void OutputIsSortedByName()
    {
        // "public unsafe partial struct NAME", "public enum NAME : T", "public unsafe struct NAME", "public static class NAME"
        var names = EdgeSource.Value.Split('\n').Where(l => l.StartsWith("public ", StringComparison.Ordinal))
            .Select(l => l.Split(' ') is var w && w[1] == "enum" ? w[2] : w[^1]).ToList();
        var structsAndEnums = names.Where(n => !n.StartsWith("InlineArray", StringComparison.Ordinal) && n != "KernelConstants").ToList();
        Assert.Equal(structsAndEnums.Order(StringComparer.Ordinal), structsAndEnums);
    }

    [Fact]
    public void TwoRunsAreByteIdenticalAndTypeOrderDoesNotMatter()
    {
        var spec = BtfSpec.Load(TestPaths.Vmlinux);
        byte[] first = Generate(spec, null);
        byte[] second = Generate(BtfSpec.Load(TestPaths.Vmlinux), null);
        Assert.True(first.AsSpan().SequenceEqual(second), "two runs over the running kernel differ");
        byte[] ab = Generate(spec, ["task_struct", "sk_buff"]);
        byte[] ba = Generate(spec, ["sk_buff", "task_struct"]);
        Assert.True(ab.AsSpan().SequenceEqual(ba), "--types order changes the output");
        // The command line writes exactly what the library writes.
        var cli = GenCSharpCli.Run("gen", "csharp", "--types", "sk_buff,task_struct");
        Assert.True(cli.ExitCode == 0, cli.Stderr);
        Assert.True(ab.AsSpan().SequenceEqual(cli.Stdout), "CLI output differs from the library's");
    }

    [Fact]
    public void SplitBtfTypesComeFromTheModuleAndItsBase()
    {
        var spec = KernelBlobs.Load("debian-6.1.192-amd64.veth.btf.gz");
        string source = BtfCSharpFormatter.Format(spec, new CSharpBindingsOptions { TypeNames = ["veth_priv"] });
        Assert.Contains("[Relocatable(\"veth_priv\")]", source);
        Assert.Contains("[Relocatable(\"net_device\")]", source); // from the base
        var cli = GenCSharpCli.Run("gen", "csharp", "--btf", TestPaths.Kernel("debian-6.1.192-amd64.veth.btf.gz"),
            "--base", TestPaths.Kernel("debian-6.1.192-amd64.btf.gz"), "--types", "veth_priv");
        Assert.True(cli.ExitCode == 0, cli.Stderr);
        Assert.Equal(source, Encoding.UTF8.GetString(cli.Stdout));
    }

    [Theory]
    [InlineData("no struct, union, enum or typedef named 'no_such_type'", "--types", "task_struct,no_such_type")]
    [InlineData("'1bad' is not a valid C# namespace", "--namespace", "1bad", "--types", "task_struct")]
    [InlineData("Error:", "--btf", "/nonexistent/vmlinux")]
    public void BadInputIsAnErrorWithNoOutput(string message, params string[] args)
    {
        var (code, stdout, stderr) = GenCSharpCli.Run(["gen", "csharp", .. args]);
        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.Contains(message, stderr);
    }

    [Fact]
    public void HelpShowsTheUsageLine()
    {
        var (code, stdout, _) = GenCSharpCli.Run("gen", "csharp", "--help");
        Assert.Equal(0, code);
        string help = Encoding.UTF8.GetString(stdout);
        Assert.Contains("Usage: bpfsharp gen csharp [--btf FILE] [--base FILE] [--types NAME[,NAME...]] [--namespace NAMESPACE]", help);
        Assert.Contains("--shallow", help);
        var gen = GenCSharpCli.Run("gen", "--help");
        Assert.Contains("csharp", Encoding.UTF8.GetString(gen.Stdout));
    }

    private static byte[] Generate(BtfSpec spec, string[]? types)
    {
        using var buffer = new MemoryStream();
        BtfCSharpFormatter.Write(spec, buffer, new CSharpBindingsOptions { TypeNames = types });
        return buffer.ToArray();
    }
}
