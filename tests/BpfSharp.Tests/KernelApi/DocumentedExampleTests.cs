using System.Reflection;
using BpfSharp.Kernel;

namespace BpfSharp.Tests.KernelApi;

// The example of docs/kernel-api.md, kept compiling against the API.
public unsafe struct ExampleExecEvent
{
    public uint Pid;
    public uint Uid;
    public ulong Cgroup;
    public fixed byte Comm[16];
}

public static unsafe class ExampleProbes
{
    static readonly HashMap<uint, ulong> Calls = new(maxEntries: 10240);
    static readonly PerCpuArrayMap<ulong> Packets = new(maxEntries: 1);
    static readonly RingBuffer Events = new(size: 256 * 1024);

    [Kprobe("do_unlinkat")]
    public static int OnUnlink(PtRegs* ctx)
    {
        uint tgid = Bpf.CurrentTgid;
        ulong* count = Calls.Lookup(tgid);
        if (count != null) *count += 1;
        else Calls.Update(tgid, 1, UpdateFlags.NoExist);
        Bpf.Printk("unlink dfd=%d by %u", ctx->Parm1, tgid);
        return 0;
    }

    [Tracepoint("sched/sched_process_exec")]
    public static int OnExec(TraceEntry* ctx)
    {
        ExampleExecEvent* e = Events.Reserve<ExampleExecEvent>();
        if (e == null) return 0;
        e->Pid = Bpf.CurrentTgid;
        e->Uid = Bpf.CurrentUid;
        e->Cgroup = Bpf.GetCurrentCgroupId();
        Bpf.GetCurrentComm(e->Comm, 16);
        Events.Submit(e);
        return 0;
    }

    [Xdp]
    public static int CountPackets(XdpMd* ctx)
    {
        ulong* n = Packets.Lookup(0);
        if (n != null) *n += 1;
        return (int)XdpAction.Pass;
    }
}

public unsafe class DocumentedExampleTests
{
    [Fact]
    public void ExampleMapsInitialiseOnDotNetAndProgramsCarryTheirSections()
    {
        var fields = typeof(ExampleProbes).GetFields(BindingFlags.NonPublic | BindingFlags.Static);
        Assert.Equal(3, fields.Length);
        Assert.All(fields, f => Assert.IsAssignableFrom<KernelMap>(f.GetValue(null)));
        var sections = typeof(ExampleProbes).GetMethods()
            .Select(m => m.GetCustomAttribute<BpfProgramAttribute>()?.Section).Where(s => s is not null).Order();
        Assert.Equal(["kprobe/do_unlinkat", "tracepoint/sched/sched_process_exec", "xdp"], sections);
        // Outside BPF the program bodies reach a helper stub and stop there.
        Assert.Throws<BpfOnlyException>(() => ExampleProbes.OnUnlink(null));
    }
}
