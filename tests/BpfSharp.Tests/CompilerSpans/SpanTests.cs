using System.Text;
using System.Text.RegularExpressions;
using BpfSharp.Compiler;
using BpfSharp.Linux;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.CompilerSpans;

/// <summary>
/// Spans and constant byte strings (#14 F7): Span/ReadOnlySpan over stackalloc, map values and fixed buffers, indexing
/// with the range check, Length, Slice, "…"u8 literals in .rodata and passed to bpf_strncmp. The kernel runs each
/// program (BPF_PROG_TEST_RUN) with inputs set from user space; the expected results are what the same C# computes on
/// .NET (an out-of-range index, where .NET throws, ends the BPF program with 0).
/// </summary>
public sealed class SpanTests
{
    private const string Source = """
        using System;
        using BpfSharp.Kernel;

        [assembly: License("GPL")]

        public unsafe struct SpanName
        {
            public fixed byte Bytes[16];
        }

        public static unsafe class SpanPrograms
        {
            static readonly ArrayMap<SpanName> SpanNames = new(maxEntries: 1);
            static readonly ArrayMap<int> SpanInput = new(maxEntries: 1);

            static ReadOnlySpan<byte> Fibonacci => [1, 2, 3, 5, 8, 13, 21, 34];

            static int Index()
            {
                int* i = SpanInput.Lookup(0);
                return i == null ? 0 : *i;
            }

            [Xdp]
            public static int StackSpan(XdpMd* ctx)
            {
                Span<byte> buffer = stackalloc byte[16];
                for (int i = 0; i < buffer.Length; i++)
                    buffer[i] = (byte)(i * 3 + 1);
                Span<byte> middle = buffer.Slice(4, 8);
                return middle[Index()] + 100 * middle.Length + 1000 * buffer.Slice(12).Length;
            }

            [Xdp]
            public static int MapValueSpan(XdpMd* ctx)
            {
                SpanName* name = SpanNames.Lookup(0);
                if (name == null)
                    return -1;
                var bytes = new Span<byte>(name->Bytes, 16);
                bytes[Index()] = 0xAB;
                return bytes.Length;
            }

            [Xdp]
            public static int LiteralSpan(XdpMd* ctx)
            {
                ReadOnlySpan<byte> word = "bash"u8;
                return word[Index()] + 1000 * word.Length + 10000 * Fibonacci[Index()];
            }

            [Xdp]
            public static int CompareName(XdpMd* ctx)
            {
                SpanName* name = SpanNames.Lookup(0);
                if (name == null)
                    return -1;
                return Bpf.Strncmp(new ReadOnlySpan<byte>(name->Bytes, 16), "bash"u8) == 0 ? 1 : 2;
            }

            [Xdp]
            public static int FixedLocalSpan(XdpMd* ctx)
            {
                SpanName local;
                Span<byte> view = new Span<byte>(local.Bytes, 16);
                for (int i = 0; i < 16; i++)
                    view[i] = (byte)(100 + i);
                ReadOnlySpan<byte> read = view;
                return read[Index()];
            }
        }
        """;

    // What the programs compute, as .NET computes it (an index out of range: .NET throws, BPF returns 0).
    private static int StackSpanOnDotnet(int index)
    {
        Span<byte> buffer = stackalloc byte[16];
        for (int i = 0; i < buffer.Length; i++) buffer[i] = (byte)(i * 3 + 1);
        var middle = buffer.Slice(4, 8);
        return (uint)index < (uint)middle.Length ? middle[index] + 100 * middle.Length + 1000 * buffer.Slice(12).Length : 0;
    }

    private static int LiteralSpanOnDotnet(int index)
    {
        ReadOnlySpan<byte> word = "bash"u8;
        ReadOnlySpan<byte> fibonacci = [1, 2, 3, 5, 8, 13, 21, 34];
        return (uint)index < (uint)word.Length ? word[index] + 1000 * word.Length + 10000 * fibonacci[index] : 0;
    }

    private static readonly Lazy<BpfCompilation> Compiled = new(() => BpfSourceCompiler.Compile("SpanPrograms", Source));

    private static ObjectSpec Spec()
    {
        var compilation = Compiled.Value;
        Assert.True(compilation.Success, string.Join("\n", compilation.Diagnostics));
        return ObjectSpec.Read(compilation.Object!, "spans.bpf.o");
    }

    [Fact]
    public void Utf8LiteralsAreNulTerminatedBytesInRodata()
    {
        var rodata = Spec().DataSections.Single(d => d.Name == ".rodata").InitialData.ToArray();
        Assert.True(rodata.AsSpan().IndexOf("bash\0"u8) >= 0, "no \"bash\\0\" in .rodata: " + Convert.ToHexString(rodata));
        Assert.True(rodata.AsSpan().IndexOf(new byte[] { 1, 2, 3, 5, 8, 13, 21, 34 }) >= 0, "the constant array is not in .rodata");
    }

    [Fact]
    public void SpansRunInTheKernelAsOnDotnet()
    {
        var spec = Spec();
        KernelObjects.RequireBpf();
        using var collection = BpfCollection.Load(spec);
        var input = collection.Maps["SpanInput"];
        var names = collection.Maps["SpanNames"];
        uint Run(string program, int index)
        {
            input.Update(0u, index);
            return collection.Programs[program].TestRun(new byte[64]).ReturnValue;
        }

        foreach (var index in new[] { 0, 3, 7, 8, 100, -1 })
        {
            Assert.Equal((uint)StackSpanOnDotnet(index), Run("StackSpan", index));
            Assert.Equal((uint)LiteralSpanOnDotnet(index), Run("LiteralSpan", index));
            Assert.Equal(index is >= 0 and < 16 ? (uint)(100 + index) : 0u, Run("FixedLocalSpan", index));
        }

        var empty = new byte[16];
        names.Update(BitConverter.GetBytes(0u), empty);
        Assert.Equal(16u, Run("MapValueSpan", 5));
        Assert.Equal(0u, Run("MapValueSpan", 16)); // out of range: nothing written, the program returns 0
        var stored = new byte[16];
        Assert.True(names.TryLookup(BitConverter.GetBytes(0u), stored));
        Assert.Equal(Enumerable.Range(0, 16).Select(i => i == 5 ? (byte)0xAB : (byte)0), stored);

        foreach (var (text, expected) in new[] { ("bash", 1u), ("bask", 2u), ("bas", 2u), ("bashful", 2u) })
        {
            var value = new byte[16];
            Encoding.ASCII.GetBytes(text).CopyTo(value, 0);
            names.Update(BitConverter.GetBytes(0u), value);
            Assert.Equal(expected, Run("CompareName", 0));
        }
    }

    /// <summary>libbpf (bpftool 7.1's) loads the C#-compiled object too: the literals' .rodata is an ordinary
    /// read-only data map and every program passes the verifier.</summary>
    [Fact]
    public void BpftoolLoadsTheObject()
    {
        KernelObjects.RequireBpf();
        var dir = Path.Combine(Path.GetTempPath(), $"bpfsharp-spans-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var pins = "/sys/fs/bpf/bpfsharp-spans-" + Guid.NewGuid().ToString("N")[..12];
        Directory.CreateDirectory(dir);
        try
        {
            var obj = Path.Combine(dir, "spans.bpf.o");
            var compilation = Compiled.Value;
            Assert.True(compilation.Success, string.Join("\n", compilation.Diagnostics));
            File.WriteAllBytes(obj, compilation.Object!);
            var bpftool = ExternalTool.Run("bpftool", ["prog", "loadall", obj, pins]);
            Assert.True(bpftool.ExitCode == 0, bpftool.Stderr);
            Assert.Equal(["CompareName", "FixedLocalSpan", "LiteralSpan", "MapValueSpan", "StackSpan"],
                Directory.GetFileSystemEntries(pins).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }
        finally
        {
            if (Directory.Exists(pins)) Directory.Delete(pins, recursive: true);
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The C twin (testdata/compiler/spans.bpf.c, clang-19): the same helper call, its constant string
    /// argument an ld_imm64 relocated against read-only data that holds the same NUL-terminated bytes.</summary>
    [Fact]
    public void StrncmpCallMatchesTheClangTwin()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"bpfsharp-spans-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            var clangObject = Path.Combine(dir, "spans.clang.o");
            ExternalTool.RunChecked("clang-19", "-O2", "-g", "-target", "bpf", "-I", ExternalTool.MultiarchIncludeDirectory,
                "-c", Path.Combine(TestPaths.RepoRoot, "testdata", "compiler", "spans.bpf.c"), "-o", clangObject);
            var ourObject = Path.Combine(dir, "spans.ours.o");
            var compilation = Compiled.Value;
            Assert.True(compilation.Success, string.Join("\n", compilation.Diagnostics));
            File.WriteAllBytes(ourObject, compilation.Object!);

            var clang = StrncmpCall(clangObject);
            var ours = StrncmpCall(ourObject);
            Assert.Equal("bash\0", clang.Constant);
            Assert.Equal(clang.Constant, ours.Constant);
            Assert.Equal(clang.Helpers, ours.Helpers);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>CompareName's helper calls (llvm-objdump-19 -dr) and the NUL-terminated bytes its read-only data
    /// relocation points at (the section's bytes at the ld_imm64's immediate).</summary>
    private static (string Helpers, string Constant) StrncmpCall(string objectPath)
    {
        var lines = ExternalTool.RunText("llvm-objdump-19", "-dr", "--no-show-raw-insn", objectPath).Split('\n');
        var start = Array.FindIndex(lines, l => l.EndsWith("<CompareName>:", StringComparison.Ordinal));
        Assert.True(start >= 0, "no CompareName in " + objectPath);
        var body = lines.Skip(start + 1).TakeWhile(l => l.Trim().Length > 0).ToList();
        var helpers = string.Join(",", body.Select(l => Regex.Match(l, @"\bcall (0x[0-9a-f]+)")).Where(m => m.Success).Select(m => m.Groups[1].Value));
        var at = body.FindIndex(l => Regex.IsMatch(l, @"R_BPF_64_64\s+\.rodata"));
        Assert.True(at > 0, "no relocation against read-only data in CompareName of " + objectPath);
        var section = Regex.Match(body[at], @"R_BPF_64_64\s+(\S+)").Groups[1].Value;
        var offset = Convert.ToInt32(Regex.Match(body[at - 1], @"= (0x[0-9a-f]+) ll").Groups[1].Value, 16);
        var data = ObjectSpec.Read(File.ReadAllBytes(objectPath), objectPath).DataSections.Single(d => d.Name == section).InitialData.ToArray();
        var nul = Array.IndexOf(data, (byte)0, offset);
        return (helpers, Encoding.ASCII.GetString(data, offset, nul - offset + 1));
    }
}
