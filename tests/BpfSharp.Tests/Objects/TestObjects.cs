using System.Collections.Concurrent;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Objects;

/// <summary>Compiles the C test programs under testdata/objects with clang-19 (once per process) and runs LLVM tools.</summary>
internal static class TestObjects
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> Compiled = new();
    private static readonly Lazy<string> Scratch = new(() => TestPaths.NewScratchDirectory("objects"));

    /// <summary>Source names (without .c) of every test program.</summary>
    public static readonly string[] Sources = ["core_reads", "progs", "maps"];

    /// <summary>xunit data: every source in both byte orders ("name" or "name:eb").</summary>
    public static TheoryData<string> AllVariants()
    {
        var data = new TheoryData<string>();
        foreach (var s in Sources) { data.Add(s); data.Add(s + ":eb"); }
        return data;
    }

    /// <summary>The path of a compiled object; "name:eb" compiles big-endian.</summary>
    public static string Get(string variant) => Compiled.GetOrAdd(variant, v => new Lazy<string>(() => Compile(v))).Value;

    private static string Compile(string variant)
    {
        bool eb = variant.EndsWith(":eb", StringComparison.Ordinal);
        string name = eb ? variant[..^3] : variant;
        string source = Path.Combine(TestPaths.TestData, "objects", name + ".c");
        string output = Path.Combine(Scratch.Value, name + (eb ? ".eb" : "") + ".o");
        Run("clang-19", $"-O2 -g -Wall -target {(eb ? "bpfeb" : "bpfel")} -I{ExternalTool.MultiarchIncludeDirectory} -c {Quote(source)} -o {Quote(output)}");
        return output;
    }

    /// <summary>Quotes a path for <see cref="Run"/>.</summary>
    public static string Quote(string s) => ExternalTool.Quote(s);

    /// <summary>Runs a tool and returns its standard output; fails the test with a clear message if it is missing or fails.</summary>
    public static string Run(string tool, string arguments, bool allowFailure = false)
    {
        var result = ExternalTool.RunCommandLine(tool, arguments);
        if (result.ExitCode != 0 && !allowFailure)
            Assert.Fail($"{tool} {arguments} failed with exit code {result.ExitCode}:\n{result.Stderr}\n{result.StdoutText}");
        return result.StdoutText;
    }
}
