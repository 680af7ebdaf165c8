using System.Text.RegularExpressions;
using BpfSharp.Btf;
using BpfSharp.Objects;
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

    /// <summary>
    /// What an object declares of its externs: every undefined symbol, then one line per entry of the DATASEC
    /// <paramref name="dataSec"/> (which must have size 0, as clang writes it) as <paramref name="describe"/> puts
    /// it; sorted, so clang's order and ours need not agree.
    /// </summary>
    public static List<string> Declarations(string path, string dataSec, Func<BtfSpec, BtfDataSecVar, string> describe)
    {
        var lines = UndefinedSymbols(path).ToList();
        var btf = ObjectSpec.Load(path).Btf!;
        var section = btf[btf.FindByName(dataSec, BtfKind.DataSec)];
        Assert.Equal(0u, section.Size);
        for (var i = 0; i < section.Vlen; i++)
        {
            lines.Add(describe(btf, section.GetDataSecVar(i)));
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

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
