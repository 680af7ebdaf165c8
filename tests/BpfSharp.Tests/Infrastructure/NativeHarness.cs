using System.Collections.Concurrent;
using BpfSharp.Tests.Objects;

namespace BpfSharp.Tests.Infrastructure;

/// <summary>Builds a C harness of <c>native/</c> with gcc once per process (linked with libbpf.a when it needs it).</summary>
internal static class NativeHarness
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> Built = new();

    /// <summary>The binary built from <c>native/NAME.c</c>.</summary>
    public static string Get(string name, bool linkLibbpf) =>
        Built.GetOrAdd(name, n => new Lazy<string>(() =>
        {
            var binary = Path.Combine(TestPaths.NewScratchDirectory(n), n);
            var source = TestObjects.Quote(Path.Combine(TestPaths.RepoRoot, "native", n + ".c"));
            TestObjects.Run("gcc", $"-O2 -std=gnu11 -o {TestObjects.Quote(binary)} {source}{(linkLibbpf ? " -l:libbpf.a -lelf -lz" : "")}");
            return binary;
        })).Value;
}
