using System.Text.Json;
using BpfSharp.Btf;
using BpfSharp.Instructions;
using BpfSharp.Linux;
using BpfSharp.Linux.Features;
using BpfSharp.Linux.Inspection;
using BpfSharp.Linux.Loading;
using BpfSharp.Tests.GenCSharp;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Runtime;

/// <summary>
/// <see cref="BpfFeatureProbes"/> and <c>bpfsharp feature probe</c> against <c>bpftool feature probe kernel</c> on the
/// running kernel: the same program and map types; helpers a subset of bpftool's, and every helper bpftool (libbpf
/// 1.1) lists but we do not is one the verifier refuses for that program type, which libbpf 1.1 did not recognise.
/// </summary>
public sealed class FeatureProbeTests
{
    private static readonly Lazy<JsonElement> Bpftool = new(() =>
        JsonDocument.Parse(ExternalTool.RunText("bpftool", "feature", "probe", "kernel", "-j")).RootElement);

    [Fact]
    public void ProgramAndMapTypesAreTheOnesBpftoolFinds()
    {
        KernelObjects.RequireBpf();
        var compared = 0;
        foreach (var t in Enum.GetValues<BpfProgramType>().Where(t => t != BpfProgramType.Unspecified))
        {
            if (!Bpftool.Value.GetProperty("program_types").TryGetProperty($"have_{BpfTypeNames.Of(t)}_prog_type", out var theirs)) continue;
            Assert.True(theirs.GetBoolean() == BpfFeatureProbes.ProgramType(t), $"program type {BpfTypeNames.Of(t)}: bpftool {theirs.GetBoolean()}");
            compared++;
        }
        foreach (var t in Enum.GetValues<BpfMapType>().Where(t => t != BpfMapType.Unspecified))
        {
            if (!Bpftool.Value.GetProperty("map_types").TryGetProperty($"have_{BpfTypeNames.Of(t)}_map_type", out var theirs)) continue;
            Assert.True(theirs.GetBoolean() == BpfFeatureProbes.MapType(t), $"map type {BpfTypeNames.Of(t)}: bpftool {theirs.GetBoolean()}");
            compared++;
        }
        Assert.True(compared >= 55, $"only {compared} types compared");
        Assert.True(BpfFeatureProbes.ProgramType(BpfProgramType.Xdp));
        Assert.True(BpfFeatureProbes.MapType(BpfMapType.RingBuf));
    }

    [Theory]
    [InlineData(BpfProgramType.Xdp)]
    [InlineData(BpfProgramType.Kprobe)]
    [InlineData(BpfProgramType.SocketFilter)]
    public void HelpersAreBpftoolsLessTheOnesTheVerifierRefusesForTheType(BpfProgramType type)
    {
        KernelObjects.RequireBpf();
        var theirs = Bpftool.Value.GetProperty("helpers").GetProperty($"{BpfTypeNames.Of(type)}_available_helpers")
            .EnumerateArray().Select(e => e.GetString()!).ToHashSet();
        var known = Bpftool.Value.GetProperty("helpers").EnumerateObject().SelectMany(p => p.Value.EnumerateArray()).Select(e => e.GetString()!).ToHashSet();
        var ours = BpfFeatureProbes.KernelHelpers.Where(h => BpfFeatureProbes.Helper(type, h.Id) == true).Select(h => h.Name).ToHashSet();

        Assert.Contains("bpf_map_lookup_elem", ours);
        // Helpers bpftool knows of (its list ends before the newest ones) that we support, it supports too.
        Assert.Empty(ours.Where(known.Contains).Except(theirs));
        foreach (var name in theirs.Except(ours))
        {
            var id = BpfFeatureProbes.KernelHelpers.Single(h => h.Name == name).Id;
            var e = Assert.Throws<BpfSyscallException>(() => BpfProgram.Load(type, [new Instruction(0x85, 0, 0, 0, id), new Instruction(0x95, 0, 0, 0, 0)], "GPL",
                new BpfProgramLoadOptions { LogLevel = 1, KernelVersion = type == BpfProgramType.Kprobe ? KernelConfig.FromText("", RunningKernel.Release).KernelVersion : 0 }));
            Assert.True(e.Log!.Contains("program of this type cannot use helper", StringComparison.Ordinal) || e.Log.Contains("unknown func", StringComparison.Ordinal),
                $"{name} for {type}: {e.Log}");
        }
    }

    [Fact]
    public void HelperKfuncAndUnprobeableAnswers()
    {
        KernelObjects.RequireBpf();
        Assert.False(BpfFeatureProbes.Helper(BpfProgramType.Xdp, 1_000_000));          // no such helper id
        Assert.Null(BpfFeatureProbes.Helper(BpfProgramType.Tracing, 1));               // libbpf: EOPNOTSUPP
        var helpers = BpfFeatureProbes.KernelHelpers;
        Assert.Equal(new KernelHelper(1, "bpf_map_lookup_elem"), helpers[0]);
        Assert.Equal(helpers.Count, helpers.Select(h => h.Id).Distinct().Count());
        var vmlinux = BtfSpec.Load(TestPaths.Vmlinux);
        Assert.Equal(vmlinux.FindByName("bpf_rcu_read_lock", BtfKind.Func) > 0, BpfFeatureProbes.Kfunc("bpf_rcu_read_lock"));
        Assert.False(BpfFeatureProbes.Kfunc("bpfsharp_no_such_kfunc"));
    }

    [Fact]
    public void CliPrintsBpftoolsSectionsInTextAndJson()
    {
        KernelObjects.RequireBpf();
        var json = GenCSharpCli.Run("-j", "feature", "probe", "kernel");
        Assert.True(json.ExitCode == 0, json.Stderr);
        var doc = JsonDocument.Parse(json.Stdout).RootElement;
        foreach (var section in new[] { "program_types", "map_types" })
            foreach (var p in Bpftool.Value.GetProperty(section).EnumerateObject())
                Assert.Equal(p.Value.GetBoolean(), doc.GetProperty(section).GetProperty(p.Name).GetBoolean());
        Assert.DoesNotContain("bpf_trace_printk", doc.GetProperty("helpers").GetProperty("xdp_available_helpers").EnumerateArray().Select(e => e.GetString()));

        var text = GenCSharpCli.Run("feature", "probe");
        Assert.True(text.ExitCode == 0, text.Stderr);
        var lines = System.Text.Encoding.UTF8.GetString(text.Stdout).Split('\n');
        var bpftoolLines = ExternalTool.RunText("bpftool", "feature", "probe", "kernel").Split('\n');
        // Every program/map type line bpftool prints, we print identically.
        foreach (var line in bpftoolLines.Where(l => l.StartsWith("eBPF program_type ", StringComparison.Ordinal) || l.StartsWith("eBPF map_type ", StringComparison.Ordinal)))
            Assert.Contains(line, lines);
        Assert.Contains("\t- bpf_map_lookup_elem", lines);

        // The system configuration, syscall and miscellaneous sections: bpftool's lines and JSON values, exactly.
        foreach (var section in new[] { "system_config", "syscall_config", "misc" })
        {
            var theirs = Bpftool.Value.GetProperty(section).EnumerateObject().Select(p => $"{p.Name}={p.Value.GetRawText()}").ToArray();
            var ours = doc.GetProperty(section).EnumerateObject().Select(p => $"{p.Name}={p.Value.GetRawText()}").ToArray();
            Assert.Equal(theirs, ours);
        }
        string[] Block(string[] all, string heading) =>
            [.. all.SkipWhile(l => l != heading).TakeWhile(l => l.Length > 0)];
        foreach (var heading in new[] { "Scanning system configuration...", "Scanning system call availability...", "Scanning miscellaneous eBPF features..." })
        {
            var theirs = Block(bpftoolLines, heading);
            Assert.True(theirs.Length > 1, $"bpftool printed no '{heading}' section");
            Assert.Equal(theirs, Block(lines, heading));
        }

        var bad = GenCSharpCli.Run("feature", "probe", "dev", "eth0");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("can only probe 'kernel'", bad.Stderr);
    }
}
