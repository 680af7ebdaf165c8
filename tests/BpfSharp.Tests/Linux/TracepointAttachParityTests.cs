using System.Runtime.InteropServices;
using BpfSharp.Linux.Links;
using BpfSharp.Linux.Loading;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Loading;
using BpfSharp.Tests.Runtime;

namespace BpfSharp.Tests.Linux;

/// <summary>
/// <c>tp_btf/NAME</c> and <c>raw_tp/NAME</c> sections attach as libbpf attaches them: libbpf's
/// <c>bpf_program__attach</c> (native/attach_all.c, libbpf.a) and our <see cref="SectionAttach"/> run under
/// <c>strace -e trace=bpf</c> on the same object, and the attach requests are compared call by call
/// (tp_btf: <c>BPF_LINK_CREATE</c> with <c>BPF_TRACE_RAW_TP</c>; raw_tp: <c>BPF_RAW_TRACEPOINT_OPEN</c> by name).
/// Then the links are triggered for real: each program counts exactly the getppid() calls of one thread.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed partial class TracepointAttachParityTests(ITestOutputHelper output)
{
    private const int Calls = 7;

    private static string Object => LoaderObjects.Compile(Path.Combine(TestPaths.TestData, "linux", "tp_attach.c"), mustCompile: true)!;

    [Fact]
    public void AttachRequestsEqualLibbpfs()
    {
        KernelObjects.RequireBpf();
        var trace = Path.Combine(TestPaths.NewScratchDirectory("tp_attach"), "trace.txt");
        string[] theirs;
        try
        {
            var run = ExternalTool.Run("strace", ["-f", "-e", "trace=bpf", "-s", "64", "-o", trace, LibbpfAttachTrace.Harness, Object]);
            Assert.True(run.ExitCode == 0, $"libbpf's attach failed ({run.ExitCode}): {run.StdoutText}{run.Stderr}");
            theirs = LibbpfAttachTrace.AttachCalls(File.ReadAllLines(trace));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(trace)!, recursive: true);
        }

        using var obj = BpfObject.Open(Object);
        obj.Load();
        var ours = LibbpfAttachTrace.AttachCalls(SelfTrace.Bpf(() =>
        {
            foreach (var program in obj.Spec.Programs)
                SectionAttach.Attach(obj.Program(program.Name), program.SectionName).Dispose();
        }));

        foreach (var call in theirs) output.WriteLine($"libbpf: {call}");
        foreach (var call in ours) output.WriteLine($"ours:   {call}");
        Assert.Equal(["BPF_LINK_CREATE, {link_create={prog_fd=FD, target_fd=0, attach_type=BPF_TRACE_RAW_TP, flags=0}} = FD",
            "BPF_RAW_TRACEPOINT_OPEN, {raw_tracepoint={name=\"sys_enter\", prog_fd=FD}} = FD"], theirs);
        Assert.Equal(theirs, ours);
    }

    [Fact]
    public void SectionAttachedLinksCountTheTriggeringThreadsCallsAndStopWhenDisposed()
    {
        KernelObjects.RequireBpf();
        var tid = AttachTestKit.CurrentThreadId;
        using var obj = BpfObject.Open(Object);
        obj.Variable<uint>("target_tid").Value = (uint)tid;
        obj.Load();
        var hits = obj.Map<uint, ulong>("tp_attach_hits");
        var links = obj.Spec.Programs.Select(p => SectionAttach.Attach(obj.Program(p.Name), p.SectionName)).ToList();
        try
        {
            Assert.IsType<TracingLink>(links[0]);
            Assert.IsType<RawTracepointLink>(links[1]);
            for (var i = 0; i < Calls; i++) GetParentProcessId();
        }
        finally
        {
            foreach (var link in links) link.Dispose();
        }
        for (var i = 0; i < Calls; i++) GetParentProcessId();
        output.WriteLine($"tp_btf counted {hits[0u]}, raw_tp counted {hits[1u]} of {Calls} getppid() calls (then {Calls} more after detach)");
        Assert.Equal((ulong)Calls, hits[0u]);
        Assert.Equal((ulong)Calls, hits[1u]);
    }

    [LibraryImport("libc", EntryPoint = "getppid")]
    private static partial int GetParentProcessId();
}
