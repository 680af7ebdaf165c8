using BpfSharp.Btf;
using BpfSharp.Linux.Tools;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Tools;

/// <summary>
/// <see cref="TracingProbes"/> against bpftool's dump of the running kernel's BTF (the raw tracepoint typedefs, the
/// kfuncs) and /proc/kallsyms, for names that exist and names that do not.
/// </summary>
public sealed class TracingProbesTests
{
    [Fact]
    public void AnswersAgreeWithBpftoolAndKallsyms()
    {
        KernelObjects.RequireBpf();
        var dump = ExternalTool.RunText("bpftool", "btf", "dump", "file", TestPaths.Vmlinux);
        foreach (var name in new[] { "sys_enter", "sched_process_exit", "block_rq_issue", "bpfsharp_no_such_event" })
        {
            var inBtf = dump.Contains($"TYPEDEF 'btf_trace_{name}'", StringComparison.Ordinal);
            Assert.Equal(inBtf, TracingProbes.RawTracepointExists(name));
        }
        Assert.True(TracingProbes.RawTracepointExists("sys_enter"));
        Assert.True(TracingProbes.TracepointExists("sched", "sched_process_exit"));
        Assert.False(TracingProbes.TracepointExists("sched", "bpfsharp_no_such_event"));
        Assert.False(TracingProbes.TracepointExists("..", "x"));

        Assert.True(TracingProbes.BtfTypeExists("task_struct", BtfKind.Struct));
        Assert.False(TracingProbes.BtfTypeExists("task_struct", BtfKind.Union));
        Assert.False(TracingProbes.BtfTypeExists("bpfsharp_no_such_type", BtfKind.Struct));

        // A kfunc is a FUNC in BTF; bpf_task_acquire has been one since 6.2.
        Assert.Equal(dump.Contains("FUNC 'bpf_task_acquire'", StringComparison.Ordinal), TracingProbes.KfuncExists("bpf_task_acquire"));
        Assert.False(TracingProbes.KfuncExists("bpfsharp_no_such_kfunc"));

        var kallsyms = File.ReadAllText("/proc/kallsyms");
        Assert.Equal(kallsyms.Contains(" T vfs_read\n", StringComparison.Ordinal) || kallsyms.Contains(" t vfs_read\n", StringComparison.Ordinal),
            TracingProbes.KernelFunctionExists("vfs_read"));
        Assert.True(TracingProbes.KernelFunctionExists("vfs_read"));
        Assert.False(TracingProbes.KernelFunctionExists("bpfsharp_no_such_function"));
    }
}
