using System.Diagnostics;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Loading;

/// <summary>The <c>bpfsharp prog loadall</c> command, run as a process like a user would, checked with bpftool.</summary>
[Collection("Loader kernel tests")]
public sealed class ProgLoadAllCliTests
{
    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "bpfsharp.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, err.Result);
    }

    private static string NewPinPath(string what) => "/sys/fs/bpf/bpfsharp-cli-" + what + "-" + Guid.NewGuid().ToString("N")[..8];

    private static void RemoveTree(string dir)
    {
        if (!Directory.Exists(dir)) return;
        foreach (var f in Directory.GetFiles(dir)) File.Delete(f);
        Directory.Delete(dir);
    }

    [Fact]
    public void LoadAllPinsEveryProgramAndMap()
    {
        KernelObjects.RequireBpf();
        string progs = NewPinPath("progs"), maps = NewPinPath("maps");
        try
        {
            var (code, _, err) = Cli("prog", "loadall", LoaderObjects.Get("everything"), progs, "--pinmaps", maps);
            Assert.True(code == 0, err);
            Assert.Equal(["raw_tp_prog", "socket_prog", "tail_target", "tc_prog", "xdp_prog"],
                Directory.GetFiles(progs).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            var show = KernelObjects.Bpftool("-j", "prog", "show", "pinned", Path.Combine(progs, "xdp_prog"));
            Assert.Contains("\"type\":\"xdp\"", show);
            var mapFiles = Directory.GetFiles(maps).Select(Path.GetFileName).ToHashSet();
            Assert.Contains("outer_array", mapFiles);
            Assert.Contains(mapFiles, f => f!.EndsWith("_rodata", StringComparison.Ordinal));
        }
        finally
        {
            RemoveTree(progs);
            RemoveTree(maps);
        }
    }

    [Fact]
    public void FailedLoadPrintsTheVerifierLogAndCreatesNothing()
    {
        KernelObjects.RequireBpf();
        string progs = NewPinPath("fail");
        var before = KernelObjects.Ids("prog").Count;
        var (code, _, err) = Cli("prog", "loadall", LoaderObjects.Get("verifier_fail"), progs);
        Assert.Equal(BpfSharp.Cli.ExitCodes.KernelRefused, code);
        Assert.Contains("invalid access to packet", err);
        Assert.Contains("Error: failed to load object file", err);
        Assert.False(Directory.Exists(progs));
    }

    [Fact]
    public void PinFailureRemovesOnlyWhatTheCommandCreated()
    {
        KernelObjects.RequireBpf();
        string dir = NewPinPath("existing");
        Directory.CreateDirectory(dir);
        try
        {
            // Something already pinned under a program's name: the command fails and leaves it alone.
            KernelObjects.Bpftool("map", "create", Path.Combine(dir, "tc_prog"), "type", "array", "key", "4", "value", "4", "entries", "1", "name", "keep");
            var (code, _, err) = Cli("prog", "loadall", LoaderObjects.Get("everything"), dir);
            Assert.Equal(BpfSharp.Cli.ExitCodes.KernelRefused, code);
            Assert.Contains("EEXIST", err);
            Assert.Equal(["tc_prog"], Directory.GetFiles(dir).Select(Path.GetFileName));
            Assert.Contains("\"name\":\"keep\"", KernelObjects.Bpftool("-j", "map", "show", "pinned", Path.Combine(dir, "tc_prog")));
        }
        finally
        {
            RemoveTree(dir);
        }
    }

    [Fact]
    public void TypeOverrideAppliesToEveryProgram()
    {
        KernelObjects.RequireBpf();
        string dir = NewPinPath("type");
        try
        {
            // The raw_tp program of core_task.c loads as a kprobe too; bpftool reports the overridden type.
            var (code, _, err) = Cli("prog", "loadall", LoaderObjects.Get("core_task"), dir, "--type", "kprobe");
            Assert.True(code == 0, err);
            Assert.Contains("\"type\":\"kprobe\"", KernelObjects.Bpftool("-j", "prog", "show", "pinned", Path.Combine(dir, "read_task")));
            var (badCode, _, badErr) = Cli("prog", "loadall", LoaderObjects.Get("verifier_fail"), dir + "x", "--type", "no_such_type");
            Assert.Equal(BpfSharp.Cli.ExitCodes.Usage, badCode);
            Assert.Contains("unknown program type", badErr);
        }
        finally
        {
            RemoveTree(dir);
        }
    }
}
