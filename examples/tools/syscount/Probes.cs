// The BPF half of syscount, in C#: on syscall exit (tp_btf/sys_exit) add one to the count of the syscall (or of
// the process, with -P) in a hash map, and with -L the time since the thread's sys_enter. User space reads and
// clears the map at each interval.
using BpfSharp.Kernel;

namespace SysCount;

/// <summary>Per-syscall (or per-process) totals.</summary>
public unsafe struct SyscallTotals
{
    public ulong Count;
    public ulong TotalNs;
    public fixed byte Comm[Probes.TaskCommLength];
}

/// <summary>The registers of the syscall (<c>struct pt_regs</c>): the number is <c>orig_ax</c> on x86-64.</summary>
[Relocatable("pt_regs")]
public struct SyscallRegs
{
    public ulong orig_ax;
}

public static unsafe class Probes
{
    public const int TaskCommLength = 16;

    public static readonly uint FilterPid;
    public static readonly bool FilterFailed;
    public static readonly int FilterErrno;
    public static readonly bool MeasureLatency;
    public static readonly bool CountByProcess;

    public static readonly HashMap<uint, ulong> Start = new(maxEntries: 10240);
    public static readonly HashMap<uint, SyscallTotals> Data = new(maxEntries: 1024);

    [TpBtf("sys_enter")]
    public static int HandleEnter(ulong* ctx)
    {
        if (!MeasureLatency) return 0;
        var pidTgid = Bpf.GetCurrentPidTgid();
        if (FilterPid != 0 && (uint)(pidTgid >> 32) != FilterPid) return 0;
        var now = Bpf.KtimeGetNs();
        Start.Update((uint)pidTgid, now);
        return 0;
    }

    [TpBtf("sys_exit")]
    public static int HandleExit(ulong* ctx)
    {
        var pidTgid = Bpf.GetCurrentPidTgid();
        var pid = (uint)(pidTgid >> 32);
        var tid = (uint)pidTgid;
        if (FilterPid != 0 && pid != FilterPid) return 0;
        var ret = (long)ctx[1];
        if (FilterFailed && ret >= 0) return 0;
        if (FilterErrno != 0 && ret != -FilterErrno) return 0;

        ulong latency = 0;
        if (MeasureLatency)
        {
            var start = Start.Lookup(tid);
            if (start == null) return 0;
            latency = Bpf.KtimeGetNs() - *start;
            Start.Delete(tid);
        }

        var regs = (SyscallRegs*)ctx[0];
        var id = (long)regs->orig_ax;
        if (id == -1) return 0;
        var key = CountByProcess ? pid : (uint)id;
        var totals = Data.Lookup(key);
        if (totals == null)
        {
            SyscallTotals zero = default;
            Data.Update(key, zero, UpdateFlags.NoExist);
            totals = Data.Lookup(key);
            if (totals == null) return 0;
            if (CountByProcess) Bpf.GetCurrentComm(totals->Comm, TaskCommLength);
        }
        System.Threading.Interlocked.Increment(ref totals->Count);
        if (MeasureLatency) System.Threading.Interlocked.Add(ref totals->TotalNs, latency);
        return 0;
    }
}
