using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using BpfSharp.Objects;

namespace BpfSharp.Tests.Objects;

/// <summary>The 'bpfsharp obj' verbs, run as a process with redirected output (plain text).</summary>
public class ObjCommandTests
{
    private static string Cli(string arguments)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "bpfsharp.dll");
        return TestObjects.Run("dotnet", $"{TestObjects.Quote(dll)} {arguments}");
    }

    /// <summary>obj disasm prints exactly what llvm-objdump-19 -d --no-show-raw-insn prints.</summary>
    [Theory]
    [MemberData(nameof(TestObjects.AllVariants), MemberType = typeof(TestObjects))]
    public void DisasmMatchesLlvmObjdump(string variant)
    {
        string path = TestObjects.Get(variant);
        string expected = TestObjects.Run("llvm-objdump-19", $"-d --no-show-raw-insn {TestObjects.Quote(path)}");
        Assert.Equal(expected, Cli($"obj disasm {TestObjects.Quote(path)}"));
    }

    /// <summary>obj relocs lists every record llvm-objdump prints (section, insn, kind), numbered per section, with libbpf's spec text.</summary>
    [Theory]
    [MemberData(nameof(TestObjects.AllVariants), MemberType = typeof(TestObjects))]
    public void RelocsListsEveryRecord(string variant)
    {
        string path = TestObjects.Get(variant);
        var expected = BtfExtTests.ParseObjdumpCoRe(TestObjects.Run("llvm-objdump-19", $"-dr {TestObjects.Quote(path)}"));
        using var doc = JsonDocument.Parse(Cli($"obj relocs --json {TestObjects.Quote(path)}"));
        var actual = doc.RootElement.EnumerateArray().Select(e => (
            e.GetProperty("section").GetString()!, (uint)e.GetProperty("insn").GetInt32() * 8, e.GetProperty("kind").GetString()!,
            e.GetProperty("type_id").GetInt32())).ToList();
        Assert.Equal(expected.OrderBy(e => e.Section).ThenBy(e => e.Offset).ThenBy(e => e.Kind), actual.OrderBy(e => e.Item1).ThenBy(e => e.Item2).ThenBy(e => e.Item3));
        foreach (var group in doc.RootElement.EnumerateArray().GroupBy(e => e.GetProperty("section").GetString()))
            Assert.Equal(Enumerable.Range(0, group.Count()), group.Select(e => e.GetProperty("relo").GetInt32()));

        string text = Cli($"obj relocs {TestObjects.Quote(path)}");
        Assert.Equal(expected.Count, Regex.Matches(text, @"^\s+\S+\s+#\d+\s+\d+\s+\w+\s+<\w+> \[\d+\]", RegexOptions.Multiline).Count);
        if (variant == "core_reads")
        {
            Assert.Contains("<byte_off> [5] struct task_struct.pid (0:0 @ offset 0)", text, StringComparison.Ordinal);
            Assert.Contains("<byte_off> [5] struct task_struct.u.a (0:6:0 @ offset 40)", text, StringComparison.Ordinal);
            Assert.Contains("<enumval_value> [17] enum task_state::TASK_DEAD = 64", text, StringComparison.Ordinal);
        }
    }

    /// <summary>obj show --json agrees with the object model, and the plain text names every program, map and variable.</summary>
    [Theory]
    [MemberData(nameof(TestObjects.AllVariants), MemberType = typeof(TestObjects))]
    public void ShowJsonAndText(string variant)
    {
        string path = TestObjects.Get(variant);
        var obj = ObjectSpec.Load(path);
        using var doc = JsonDocument.Parse(Cli($"obj show --json {TestObjects.Quote(path)}"));
        var root = doc.RootElement;
        Assert.Equal(obj.License, root.GetProperty("license").GetString());
        Assert.Equal(obj.Programs.Select(p => (p.Name, p.SectionName, p.InstructionCount)),
            root.GetProperty("programs").EnumerateArray().Select(p => (p.GetProperty("name").GetString()!, p.GetProperty("section").GetString()!, p.GetProperty("insn_count").GetInt32())));
        Assert.Equal(obj.Maps.Select(m => (m.Name, (uint)m.Type, m.MaxEntries, m.KeySize, m.ValueSize)),
            root.GetProperty("maps").EnumerateArray().Select(m => (m.GetProperty("name").GetString()!, m.GetProperty("type").GetUInt32(),
                m.GetProperty("max_entries").GetUInt32(), m.GetProperty("key_size").GetUInt32(), m.GetProperty("value_size").GetUInt32())));
        Assert.Equal(obj.Sections.Count - 1, root.GetProperty("sections").GetArrayLength());
        Assert.Equal(obj.BtfExt?.CoReRelocationCount ?? 0, root.GetProperty("btf_ext").GetProperty("core_relo").GetInt32());

        string text = Cli($"obj show {TestObjects.Quote(path)}");
        foreach (var p in obj.Programs) Assert.Matches(new Regex($@"^\s+{Regex.Escape(p.Name)}\s+{Regex.Escape(p.SectionName)}\s", RegexOptions.Multiline), text);
        foreach (var m in obj.Maps) Assert.Matches(new Regex($@"^\s+{Regex.Escape(m.Name)}\s+{m.Type}\s+{m.KeySize}\s+{m.ValueSize}\s+{m.MaxEntries}\s", RegexOptions.Multiline), text);
        foreach (var v in obj.DataSections.SelectMany(d => d.Variables)) Assert.Contains(v.Name, text, StringComparison.Ordinal);
        Assert.Contains($"core_relo   {(obj.BtfExt?.CoReRelocationCount ?? 0).ToString(CultureInfo.InvariantCulture)}", text, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedFileIsAnError()
    {
        string path = Path.Combine(Infrastructure.TestPaths.NewScratchDirectory("cli"), "bad.o");
        File.WriteAllBytes(path, [0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1]);
        string dll = Path.Combine(AppContext.BaseDirectory, "bpfsharp.dll");
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet", $"{TestObjects.Quote(dll)} obj show {TestObjects.Quote(path)}")
        { RedirectStandardError = true, RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(1, p.ExitCode);
        Assert.StartsWith("Error: ", err, StringComparison.Ordinal);
        Assert.Contains("BPFF0301", err, StringComparison.Ordinal);
    }
}
