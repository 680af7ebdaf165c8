using System.Text;
using BpfSharp.Btf;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Btf;

/// <summary>External oracles (bpftool, clang-19) and scratch files for the BTF writer/printer tests.</summary>
internal static class BtfTestTools
{
    private static readonly Lazy<string> Scratch = new(() => TestPaths.NewScratchDirectory("btfio"));
    private static readonly object Gate = new();

    /// <summary>Runs a tool and returns its stdout bytes; fails the test with stderr when it exits non-zero or is missing.</summary>
    public static byte[] Run(string tool, params string[] args) => ExternalTool.RunChecked(tool, args);

    /// <summary>A shared kernel blob decompressed to a scratch file (bpftool cannot read .gz).</summary>
    public static string RawBlob(string file)
    {
        lock (Gate)
        {
            string path = Path.Combine(Scratch.Value, file.EndsWith(".gz", StringComparison.Ordinal) ? file[..^3] : file);
            if (!File.Exists(path)) File.WriteAllBytes(path, BtfSpec.ReadAllBytes(TestPaths.Kernel(file)));
            return path;
        }
    }

    /// <summary>Compiles testdata/btf/NAME.c with clang-19 for the given target (bpf, bpfel or bpfeb), once per run.</summary>
    public static string CompileTestObject(string name, string target = "bpf")
    {
        lock (Gate)
        {
            string output = Path.Combine(Scratch.Value, $"{name}.{target}.o");
            if (!File.Exists(output))
                Run("clang-19", "-O2", "-g", "-target", target, "-c", Path.Combine(TestPaths.TestData, "btf", name + ".c"), "-o", output);
            return output;
        }
    }

    /// <summary>The C files under testdata/btf.</summary>
    public static TheoryData<string> TestObjects() => new("kinds", "maps");

    /// <summary>A path for a scratch file.</summary>
    public static string ScratchFile(string name) => Path.Combine(Scratch.Value, name);

    /// <summary>Asserts two text outputs are byte-identical; on mismatch names the first differing line.</summary>
    public static void AssertSameText(byte[] expected, byte[] actual, string what)
    {
        if (expected.AsSpan().SequenceEqual(actual)) return;
        var e = Encoding.UTF8.GetString(expected).Split('\n');
        var a = Encoding.UTF8.GetString(actual).Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            string el = i < e.Length ? e[i] : "<end of output>";
            string al = i < a.Length ? a[i] : "<end of output>";
            if (el != al)
                Assert.Fail($"{what}: first difference at line {i + 1}:\n  expected: {el}\n  actual:   {al}\n({e.Length} vs {a.Length} lines)");
        }
        Assert.Fail($"{what}: outputs differ ({expected.Length} vs {actual.Length} bytes) but no line differs");
    }
}
