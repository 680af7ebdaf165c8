using System.Diagnostics;
using BpfSharp.Compiler;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Runtime;

namespace BpfSharp.Tests.Tools;

/// <summary>
/// examples/tools/capable (C# both halves) against its C twin (clang + libbpf). Both trace one process this test
/// controls (net_trigger: lowers its nice value, which needs CAP_SYS_NICE, drops that capability and tries again) and
/// must print the same checks (the time column aside): on this kernel through the capability/cap_capable tracepoint,
/// since it has no kprobes; bcc's kprobe/kretprobe pair is loaded and verified by both, and attached only where the
/// kernel has the kprobe PMU.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class CapableTwinTests(ITestOutputHelper output)
{
    private static bool HasKprobePmu => Directory.Exists("/sys/bus/event_source/devices/kprobe");

    [Theory]
    [InlineData("-x")]
    [InlineData("-u")]
    [InlineData("--kprobe")]
    public void SameChecksAsTheCTwin(string mode)
    {
        KernelObjects.RequireBpf();
        ToolTwins.BuildCTwin("capable");
        if (mode == "--kprobe" && !HasKprobePmu)
        {
            output.WriteLine("no kprobe PMU on this kernel: the kprobe pair is only loaded (KprobeProgramsLoadInBoth), not attached");
            return;
        }
        if (mode != "--kprobe" && !BpfSharp.Linux.Tools.TracingProbes.RawTracepointExists("cap_capable"))
        {
            output.WriteLine("no capability/cap_capable tracepoint on this kernel: nothing to attach to without kprobes");
            return;
        }
        using var trigger = new NetTrigger("capable");
        string[] args = mode == "-u" ? ["-p", trigger.Id.ToString(), "-u", "pid"] : ["-p", trigger.Id.ToString(), mode];
        using var ours = ToolTwins.StartTool("capable", args);
        using var theirs = ToolTwins.StartTwin("capable", args);
        ours.WaitUntilReady(TimeSpan.FromSeconds(60));
        theirs.WaitUntilReady(TimeSpan.FromSeconds(60));

        var done = trigger.Go();
        Assert.Equal(["0", "13"], done); // allowed, then EACCES
        bool Denied(IReadOnlyList<string> lines) => lines.Any(l => l.Contains(" CAP_SYS_NICE ") && l.Contains(" deny "));
        if (mode == "-u")
        {
            ours.WaitFor(l => l.Any(x => x.Contains(" CAP_SETPCAP ")), TimeSpan.FromSeconds(30), "the capset check");
            theirs.WaitFor(l => l.Any(x => x.Contains(" CAP_SETPCAP ")), TimeSpan.FromSeconds(30), "the capset check");
            Thread.Sleep(300); // a second CAP_SYS_NICE line would be a bug: let it show up
        }
        else
        {
            ours.WaitFor(Denied, TimeSpan.FromSeconds(30), "the denied check");
            theirs.WaitFor(Denied, TimeSpan.FromSeconds(30), "the denied check");
        }
        ours.Interrupt();
        theirs.Interrupt();
        var ourLines = ours.WaitForExit(TimeSpan.FromSeconds(30));
        var theirLines = theirs.WaitForExit(TimeSpan.FromSeconds(30));
        output.WriteLine(string.Join('\n', ourLines));
        output.WriteLine(ours.Stderr);

        // TIME (HH:MM:SS) is the wall clock of each tool: compare from the UID column on.
        Assert.Equal(theirLines.Select(l => l[9..]), ourLines.Select(l => l[9..]));
        var pid = trigger.Id;
        var audit = mode == "--kprobe" ? "1" : "-";
        if (mode == "-x")
        {
            Assert.Contains($"{0,-5} {pid,-7} {pid,-7} {"net_trigger",-16} {23,-7} {"CAP_SYS_NICE",-20} {audit,-7} {"allow",-7} {"-",-7}", ourLines.Select(l => l[9..]));
            Assert.Contains($"{0,-5} {pid,-7} {pid,-7} {"net_trigger",-16} {23,-7} {"CAP_SYS_NICE",-20} {audit,-7} {"deny",-7} {"-",-7}", ourLines.Select(l => l[9..]));
        }
        else
        {
            var nice = ourLines.Where(l => l.Contains(" CAP_SYS_NICE ")).Select(l => l[9..]).ToList();
            var expected = new List<string> { $"{0,-5} {pid,-7} {"net_trigger",-16} {23,-7} {"CAP_SYS_NICE",-20} {audit,-7} {"allow",-7}" };
            if (mode != "-u") expected.Add($"{0,-5} {pid,-7} {"net_trigger",-16} {23,-7} {"CAP_SYS_NICE",-20} {audit,-7} {"deny",-7}");
            Assert.Equal(expected, nice); // -u pid: the second check of the same capability is not reported
        }
        if (mode != "--kprobe" && !HasKprobePmu)
            Assert.Contains("tracing the capability/cap_capable tracepoint instead", ours.Stderr);
    }

    /// <summary>
    /// bcc's attach point: the kprobe/kretprobe pair on cap_capable. Both tools load it (the verifier accepts it as
    /// kprobe programs) and, on a kernel without the kprobe PMU, refuse to go on with the same line and exit code 1;
    /// bpftool (libbpf) loads both objects and reports the same program types.
    /// </summary>
    [Fact]
    public void KprobeProgramsLoadInBoth()
    {
        KernelObjects.RequireBpf();
        var (cObject, _) = ToolTwins.BuildCTwin("capable");
        if (!HasKprobePmu)
        {
            var ours = RunToEnd("dotnet", ToolTwins.ToolAssembly("capable"), "--kprobe");
            var theirs = RunToEnd(ToolTwins.BuildCTwin("capable").Binary, "--kprobe");
            output.WriteLine($"ours: exit {ours.Code}: {ours.Stderr}");
            output.WriteLine("no kprobe PMU on this kernel: the kprobes are loaded and verified, the attach step is skipped");
            Assert.Equal(1, ours.Code);
            Assert.Equal(theirs, ours);
            Assert.StartsWith("capable: kprobes are not available on this kernel", ours.Stderr);
        }

        var ourObject = Path.Combine(ToolTestKit.Directory, "capable.ours.bpf.o");
        File.WriteAllBytes(ourObject, BpfCompiler.Compile(ToolTwins.ToolAssembly("capable")).GetObjectOrThrow());
        Assert.Equal(ProgramTypes(cObject), ProgramTypes(ourObject));
        Assert.Equal(["kprobe", "kprobe", "tracing"], ProgramTypes(ourObject).Values.Order());
    }

    // bpftool prog loadall OBJECT: the type of each program the kernel accepted, in object order.
    private Dictionary<int, string> ProgramTypes(string objectPath)
    {
        var dir = $"/sys/fs/bpf/bpfsharp-capable-{Environment.ProcessId}-{Guid.NewGuid():N}"[..48];
        try
        {
            ExternalTool.RunChecked("bpftool", "prog", "loadall", objectPath, dir);
            var types = new Dictionary<int, string>();
            var index = 0;
            foreach (var pin in Directory.GetFiles(dir).Order())
            {
                var show = ExternalTool.RunText("bpftool", "-j", "prog", "show", "pinned", pin);
                using var json = System.Text.Json.JsonDocument.Parse(show);
                types[index++] = json.RootElement.GetProperty("type").GetString()!;
                output.WriteLine($"{Path.GetFileName(objectPath)}: {Path.GetFileName(pin)} {types[index - 1]}");
            }
            return types;
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    private static (int Code, string Stdout, string Stderr) RunToEnd(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), $"{file} did not end");
        return (process.ExitCode, stdout.Result, stderr.Trim());
    }
}
