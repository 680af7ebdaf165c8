using System.Text.RegularExpressions;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.CompilerIntegration;

/// <summary>What the extern tests (kfuncs, ksyms, kconfig) read from an object with LLVM's tools, the same way for
/// clang's object and ours.</summary>
internal static partial class ExternObjects
{
    /// <summary>Writes a compiled object to a scratch file for the external tools.</summary>
    public static string WriteScratch(byte[] obj, string directory, string fileName)
    {
        var path = Path.Combine(TestPaths.NewScratchDirectory(directory), fileName);
        File.WriteAllBytes(path, obj);
        return path;
    }

    /// <summary>Every undefined symbol with its type and binding, as llvm-readelf -s shows it.</summary>
    public static IEnumerable<string> UndefinedSymbols(string path) =>
        UndefinedSymbol().Matches(ExternalTool.RunText("llvm-readelf-19", "-sW", path))
            .Select(m => $"symbol {m.Groups["name"].Value}: {m.Groups["type"].Value} {m.Groups["bind"].Value} UND");

    /// <summary>The code's R_BPF_64_64 relocations against the named symbols, as llvm-objdump -r shows them (clang's
    /// DWARF sections, which we do not write, relocate against them too).</summary>
    public static List<string> CodeRelocations(string path, Func<string, bool> symbol) =>
        [.. ExternalTool.RunText("llvm-objdump-19", "-r", path).Split('\n')
            .Select(l => l.Trim().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length == 3 && p[1] == "R_BPF_64_64" && symbol(p[2]))
            .Select(p => $"{p[1]} {p[2]}").Order(StringComparer.Ordinal)];

    /// <summary>Loads an object with bpftool (libbpf resolves its externs), checks the pins, removes them.</summary>
    public static void BpftoolLoadAll(string path, string tag, params string[] programs)
    {
        var pin = $"/sys/fs/bpf/bpfsharp_{tag}_{Environment.ProcessId}";
        try
        {
            ExternalTool.RunText("bpftool", "prog", "loadall", path, pin);
            Assert.All(programs, p => Assert.True(File.Exists(Path.Combine(pin, p)), $"bpftool pinned no {p}"));
        }
        finally
        {
            if (Directory.Exists(pin))
            {
                Directory.Delete(pin, recursive: true);
            }
        }
    }

    [GeneratedRegex(@"^\s*\d+: [0-9a-f]+\s+0\s+(?<type>\w+)\s+(?<bind>\w+)\s+\w+\s+UND (?<name>\S+)$", RegexOptions.Multiline)]
    private static partial Regex UndefinedSymbol();
}
