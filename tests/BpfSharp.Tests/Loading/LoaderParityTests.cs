using System.Diagnostics;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Loading;

/// <summary>
/// Differential test against bpftool (libbpf): every C file under testdata/ is compiled, then loaded by
/// <c>bpftool prog loadall</c> and by <c>bpfsharp prog loadall</c>; both must succeed or fail alike, and fail on the
/// same program.
/// </summary>
[Collection("Loader kernel tests")]
public sealed class LoaderParityTests(ITestOutputHelper output)
{
    private sealed record Outcome(bool Loaded, string? FailedProgram, string Detail);

    [Fact]
    public void LoaderLoadsExactlyWhatBpftoolLoads()
    {
        KernelObjects.RequireBpf();
        var sources = Directory.GetFiles(TestPaths.TestData, "*.c", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        int compared = 0, bothLoaded = 0, bothFailed = 0, notCompiled = 0;
        var mismatches = new List<string>();
        foreach (var source in sources)
        {
            var obj = LoaderObjects.Compile(source, mustCompile: false);
            string rel = Path.GetRelativePath(TestPaths.TestData, source);
            if (obj is null) { notCompiled++; continue; }
            // Both libbpf and our loader pin LIBBPF_PIN_BY_NAME maps under /sys/fs/bpf and keep them pinned (as
            // libbpf does): remove the pins this comparison adds.
            var byNamePins = NewByNamePins(obj);
            Outcome theirs, ours;
            try
            {
                theirs = Bpftool(obj);
                ours = Ours(obj);
            }
            finally
            {
                foreach (var pin in byNamePins) File.Delete(pin);
            }
            compared++;
            if (theirs.Loaded && ours.Loaded) bothLoaded++;
            else if (!theirs.Loaded && !ours.Loaded && (theirs.FailedProgram is null || ours.FailedProgram is null || theirs.FailedProgram == ours.FailedProgram))
            {
                bothFailed++;
                output.WriteLine($"both fail: {rel}: bpftool {theirs.FailedProgram} {theirs.Detail} / ours {ours.FailedProgram} {ours.Detail}");
            }
            else mismatches.Add($"{rel}: bpftool {(theirs.Loaded ? "loaded" : $"failed ({theirs.FailedProgram}: {theirs.Detail})")}, " +
                $"ours {(ours.Loaded ? "loaded" : $"failed ({ours.FailedProgram}: {ours.Detail})")}");
        }
        output.WriteLine($"{compared} objects compared ({notCompiled} sources do not compile alone): {bothLoaded} load with both, {bothFailed} fail with both, {mismatches.Count} differ");
        foreach (var m in mismatches) output.WriteLine(m);
        Assert.True(compared >= 10, "too few objects compared");
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    private static List<string> NewByNamePins(string obj)
    {
        var pins = new List<string>();
        try
        {
            foreach (var m in ObjectSpec.Load(obj).Maps)
                if ((uint)m.Pinning != 0 && !File.Exists("/sys/fs/bpf/" + m.Name)) pins.Add("/sys/fs/bpf/" + m.Name);
        }
        catch (BpfFormatException) { }
        return pins;
    }

    /// <summary>
    /// <c>bpfsharp prog loadall OBJ DIR</c>, as a user runs it. Like bpftool, a load whose pinning then fails still
    /// counts as loaded; on failure the command must leave no pin directory behind.
    /// </summary>
    private static Outcome Ours(string obj)
    {
        var dir = "/sys/fs/bpf/bpfsharp-parity-ours-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var (code, _, stderr) = BpfSharp.Tests.GenCSharp.GenCSharpCli.Run("prog", "loadall", obj, dir);
            bool loaded = code == 0 || stderr.Contains("failed to pin", StringComparison.Ordinal);
            if (!loaded) Assert.False(Directory.Exists(dir), $"bpfsharp prog loadall {obj} failed and left {dir} behind");
            var m = System.Text.RegularExpressions.Regex.Match(stderr, @"program '([^']+)'");
            var last = stderr.Split('\n').LastOrDefault(l => l.StartsWith("Error:", StringComparison.Ordinal)) ?? "";
            return new Outcome(loaded, m.Success ? m.Groups[1].Value : null, last);
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                foreach (var f in Directory.GetFiles(dir)) File.Delete(f);
                Directory.Delete(dir);
            }
        }
    }

    private static Outcome Bpftool(string obj)
    {
        var dir = "/sys/fs/bpf/bpfsharp-parity-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var psi = new ProcessStartInfo("bpftool", ["-d", "prog", "loadall", obj, dir])
            { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            // Pinning can fail after a successful load (e.g. a program that is not autoloaded): that still counts as loaded.
            bool loaded = p.ExitCode == 0 || !(stderr.Contains("failed to load object file") || stderr.Contains("failed to open object file"));
            string? failed = null;
            var m = System.Text.RegularExpressions.Regex.Match(stderr, @"prog '([^']+)': failed to load");
            if (m.Success) failed = m.Groups[1].Value;
            var last = stderr.Split('\n').Where(l => l.StartsWith("libbpf:") && (l.Contains("failed") || l.Contains("rror"))).LastOrDefault() ?? "";
            return new Outcome(loaded, failed, last);
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                foreach (var f in Directory.GetFiles(dir)) File.Delete(f);
                Directory.Delete(dir);
            }
        }
    }
}
