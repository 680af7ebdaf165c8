using System.Collections.Concurrent;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Objects;

namespace BpfSharp.Tests.Loading;

/// <summary>Compiles C test programs (any testdata/ subfolder) with clang-19 once per process.</summary>
internal static class LoaderObjects
{
    private static readonly ConcurrentDictionary<string, Lazy<string?>> Compiled = new();
    private static readonly Lazy<string> Scratch = new(() => TestPaths.NewScratchDirectory("loader"));

    /// <summary>The object compiled from testdata/loader/NAME.c.</summary>
    public static string Get(string name) =>
        Compile(Path.Combine(TestPaths.TestData, "loader", name + ".c"), mustCompile: true)!;

    /// <summary>Compiles a C file; returns null (when allowed) if clang rejects it.</summary>
    public static string? Compile(string source, bool mustCompile) =>
        Compiled.GetOrAdd(source, s => new Lazy<string?>(() =>
        {
            string rel = Path.GetRelativePath(TestPaths.TestData, s).Replace('/', '_').Replace(".c", "");
            string output = Path.Combine(Scratch.Value, rel + ".o");
            TestObjects.Run("clang-19",
                $"-O2 -g -target bpf -I{ExternalTool.MultiarchIncludeDirectory} -c {TestObjects.Quote(s)} -o {TestObjects.Quote(output)}",
                allowFailure: !mustCompile);
            return File.Exists(output) ? output : null;
        })).Value;
}
