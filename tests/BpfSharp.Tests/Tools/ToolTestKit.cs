using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Tools;

/// <summary>Builds the C oracles of the toolkit tests (testdata/tools) once per test run.</summary>
internal static class ToolTestKit
{
    private static readonly Dictionary<string, Lazy<string>> Built = new();
    private static readonly string BuildDirectory = TestPaths.NewScratchDirectory($"tools-oracles-{Environment.ProcessId}");

    static ToolTestKit() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        try { System.IO.Directory.Delete(BuildDirectory, recursive: true); } catch (IOException) { }
    };

    /// <summary>examples/tools/include: the C headers several twins and oracles share (trace_symbols.h, trace_hist.h).</summary>
    public static string SharedHeaders => Path.Combine(TestPaths.RepoRoot, "examples", "tools", "include");

    /// <summary>testdata/tools/<paramref name="name"/>.</summary>
    public static string Source(string name) => Path.Combine(TestPaths.TestData, "tools", name);

    /// <summary>Compiles testdata/tools/<paramref name="source"/> with gcc (extra flags appended) and returns the binary's path.</summary>
    public static string BuildC(string source, string outputName, params string[] flags)
    {
        Lazy<string> lazy;
        lock (Built)
        {
            if (!Built.TryGetValue(outputName, out lazy!))
                Built[outputName] = lazy = new Lazy<string>(() =>
                {
                    var output = Path.Combine(BuildDirectory, outputName);
                    ExternalTool.RunChecked("gcc", ["-O1", "-g", "-o", output, Source(source), .. flags]);
                    return output;
                });
        }
        return lazy.Value;
    }

    /// <summary>The scratch directory the oracles are built in (removed when the test process exits).</summary>
    public static string Directory => BuildDirectory;
}
