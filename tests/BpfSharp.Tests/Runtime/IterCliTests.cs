using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;
using BpfSharp.Linux;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Loading;

namespace BpfSharp.Tests.Runtime;

/// <summary><c>bpfsharp iter pin</c> run as a process, side by side with <c>bpftool iter pin</c> on the same object.</summary>
[Collection(RuntimeCollection.Name)]
public sealed class IterCliTests
{
    private static (int Code, byte[] Out, string Err) Cli(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "bpfsharp.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        using var output = new MemoryStream();
        p.StandardOutput.BaseStream.CopyTo(output);
        p.WaitForExit();
        return (p.ExitCode, output.ToArray(), err.Result);
    }

    private static string NewPinPath(string tool) => $"/sys/fs/bpf/bpfsharp_h5_iter_{tool}_{Environment.ProcessId}_{Guid.NewGuid():N}"[..60];

    private static JsonElement LinkInfo(string pin) => JsonDocument.Parse(KernelObjects.Bpftool("-j", "link", "show", "pinned", pin)).RootElement;

    [Fact]
    public void PinsTheFirstProgramAsBpftoolDoes()
    {
        KernelObjects.RequireBpf();
        var obj = LoaderObjects.Compile(Path.Combine(TestPaths.TestData, "runtime", "iter_probes.c"), mustCompile: true)!;
        var ours = NewPinPath("ours");
        var theirs = NewPinPath("bpftool");
        try
        {
            var (code, stdout, err) = Cli("iter", "pin", obj, ours);
            Assert.True(code == 0, err);
            Assert.Empty(stdout);
            var bpftool = ExternalTool.Run("bpftool", ["iter", "pin", obj, theirs]);
            Assert.True(bpftool.ExitCode == 0, bpftool.Stderr);

            var a = LinkInfo(ours);
            var b = LinkInfo(theirs);
            foreach (var field in new[] { "type", "target_name" })
                Assert.Equal(b.GetProperty(field).GetString(), a.GetProperty(field).GetString());
            Assert.Equal("task", a.GetProperty("target_name").GetString());
            var progA = JsonDocument.Parse(KernelObjects.Bpftool("-j", "prog", "show", "id", a.GetProperty("prog_id").GetInt32().ToString())).RootElement;
            var progB = JsonDocument.Parse(KernelObjects.Bpftool("-j", "prog", "show", "id", b.GetProperty("prog_id").GetInt32().ToString())).RootElement;
            Assert.Equal(progB.GetProperty("name").GetString(), progA.GetProperty("name").GetString());
            Assert.Equal(progB.GetProperty("type").GetString(), progA.GetProperty("type").GetString());

            // Reading either pin runs the walk: this test process is in both.
            foreach (var pin in new[] { ours, theirs })
            {
                var data = ExternalTool.RunChecked("cat", pin);
                var tgids = Enumerable.Range(0, data.Length / 8).Select(i => (int)BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(i * 8))).ToHashSet();
                Assert.Contains(Environment.ProcessId, tgids);
            }
        }
        finally
        {
            File.Delete(ours);
            File.Delete(theirs);
        }
    }

    [Fact]
    public void MapParameterBehavesAsBpftool()
    {
        KernelObjects.RequireBpf();
        var obj = LoaderObjects.Compile(Path.Combine(TestPaths.TestData, "runtime", "iter_map_elem.c"), mustCompile: true)!;
        using var map = BpfMap.Create(BpfMapType.Hash, 4, 8, 8, name: "bpfsharp_t_icm");
        for (uint k = 1; k <= 3; k++) map.Update(k, (ulong)k * 7);
        var ours = NewPinPath("ours");
        var theirs = NewPinPath("bpftool");
        try
        {
            var (code, _, err) = Cli("iter", "pin", obj, ours, "map", "id", map.Id.ToString());
            var bpftool = ExternalTool.Run("bpftool", ["iter", "pin", obj, theirs, "map", "id", map.Id.ToString()]);
            // Same verdict as bpftool: both pin (and then walk the same elements), or both refuse and pin nothing.
            Assert.True((code == 0) == (bpftool.ExitCode == 0), $"bpfsharp exit {code} ({err.Trim()}), bpftool exit {bpftool.ExitCode} ({bpftool.Stderr.Trim()})");
            Assert.Equal(code == 0, File.Exists(ours));
            Assert.Equal(bpftool.ExitCode == 0, File.Exists(theirs));
            if (code == 0)
                Assert.Equal(ExternalTool.RunChecked("cat", theirs), ExternalTool.RunChecked("cat", ours));
            else
            {
                // The verifier log may come first (as with prog loadall); the last line is the error.
                Assert.StartsWith("Error: ", err.TrimEnd().Split('\n')[^1]);
                Assert.DoesNotContain("   at ", err);
            }
        }
        finally
        {
            File.Delete(ours);
            File.Delete(theirs);
        }

        var (badCode, _, badErr) = Cli("iter", "pin", obj, ours, "map", "id");
        Assert.NotEqual(0, badCode);
        Assert.Contains("incorrect map spec", badErr);
        var (missingCode, _, missingErr) = Cli("iter", "pin", obj + ".missing", ours);
        Assert.Equal(1, missingCode);
        Assert.StartsWith("Error: ", missingErr);
        Assert.DoesNotContain("   at ", missingErr);
        Assert.False(File.Exists(ours));
    }
}
