using System.Text.Json;
using BpfSharp.Objects;
using BpfSharp.Tests.Objects;

namespace BpfSharp.Tests.CoRe;

/// <summary>The 'bpfsharp core' verbs, run as a process.</summary>
public sealed class CoreCommandTests
{
    private static string Cli(string arguments, bool allowFailure = false)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "bpfsharp.dll");
        return TestObjects.Run("dotnet", $"{TestObjects.Quote(dll)} {arguments}", allowFailure);
    }

    [Theory]
    [InlineData("nesting___dup_compat_types")]
    [InlineData("arrays___diff_arr_dim")]
    [InlineData("size___err_ambiguous")]
    public void RelocateLog_EqualsLibbpfLog(string carrier)
    {
        string group = carrier[..carrier.IndexOf("___", StringComparison.Ordinal)];
        string obj = CoReTestKit.Compile(group);
        string target = CoReTestKit.Compile(carrier);
        var oracle = CoReTestKit.RunOracle(obj, ("vmlinux", target, null));
        var lines = Cli($"core relocate {TestObjects.Quote(obj)} --target {TestObjects.Quote(target)} --log --strict-libbpf", allowFailure: true)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(oracle.LogLines, lines.Where(l => l.StartsWith("libbpf: ", StringComparison.Ordinal)));
    }

    [Fact]
    public void RelocateOut_WritesTheObjectLibbpfWouldLoad()
    {
        string obj = CoReTestKit.Compile("nesting");
        string target = CoReTestKit.Compile("nesting___extra_nesting");
        string patched = Path.Combine(Path.GetDirectoryName(obj)!, "nesting.patched.o");
        Cli($"core relocate {TestObjects.Quote(obj)} --target {TestObjects.Quote(target)} --out {TestObjects.Quote(patched)}");
        var oracle = CoReTestKit.RunOracle(obj, ("vmlinux", target, null));
        var spec = ObjectSpec.Load(patched);
        foreach (var (name, hex) in oracle.Programs)
            Assert.Equal(hex, string.Concat(spec.FindProgram(name)!.Instructions.ToArray().Select(CoReTestKit.Hex)));
        // and it is still a valid object llvm can read
        Assert.Contains("test_nesting", TestObjects.Run("llvm-objdump-19", $"-d {TestObjects.Quote(patched)}"), StringComparison.Ordinal);
    }

    [Fact]
    public void RelocateJson_ReportsEveryRelocation()
    {
        string obj = CoReTestKit.Compile("enumval");
        string target = CoReTestKit.Compile("enumval___diff");
        using var doc = JsonDocument.Parse(Cli($"core relocate {TestObjects.Quote(obj)} --target {TestObjects.Quote(target)} --json"));
        var relos = doc.RootElement.GetProperty("relocations").EnumerateArray().ToList();
        Assert.Equal(ObjectSpec.Load(obj).BtfExt!.CoReRelocationCount, relos.Count);
        var neg = relos.First(r => r.GetProperty("local_spec").GetString()!.Contains("SIGNED_NEG", StringComparison.Ordinal)
                                   && r.GetProperty("kind").GetString() == "enumval_value");
        Assert.Equal(unchecked((ulong)-50L), neg.GetProperty("target_value").GetUInt64());
        Assert.Equal("patched", neg.GetProperty("outcome").GetString());
    }

    [Fact]
    public void Explain_PrintsAccessPathsValuesAndTotals()
    {
        string obj = CoReTestKit.Compile("nesting");
        string target = CoReTestKit.Compile("nesting___err_missing_field");
        string text = Cli($"core explain {TestObjects.Quote(obj)} --target {TestObjects.Quote(target)}");
        Assert.Contains("core_reloc_nesting->a.a.a", text, StringComparison.Ordinal);
        Assert.Contains("core_reloc_nesting->b.b.b", text, StringComparison.Ordinal);
        Assert.Contains("poisoned", text, StringComparison.Ordinal);
        Assert.Contains("nesting.c:", text, StringComparison.Ordinal);
        Assert.Contains("total: 2 relocations, 1 patched, 1 poisoned, 0 errors", text, StringComparison.Ordinal);
    }
}
