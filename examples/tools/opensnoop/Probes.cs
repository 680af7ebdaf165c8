// The BPF half of opensnoop, in C#: on entry to open()/openat() (tp_btf/sys_enter) the path pointer and flags are
// kept per thread; on exit (tp_btf/sys_exit) the path is copied from user memory and a record with the result goes
// to user space through the ring buffer. x86-64 syscall numbers and registers.
using BpfSharp.Kernel;

namespace OpenSnoop;

/// <summary>The record sent to user space.</summary>
public unsafe struct OpenEvent
{
    public uint Pid;
    public uint Uid;
    public int Ret;
    public int Flags;
    public fixed byte Comm[Probes.TaskCommLength];
    public fixed byte Fname[Probes.NameMax];
}

/// <summary>What sys_enter keeps for sys_exit.</summary>
public struct PendingOpen
{
    public ulong Fname;
    public int Flags;
}

/// <summary>The syscall's registers (x86-64 <c>struct pt_regs</c>, fields found by name at load time).</summary>
[Relocatable("pt_regs")]
public struct SyscallRegs
{
    public ulong di;
    public ulong si;
    public ulong dx;
    public ulong orig_ax;
}

public static unsafe class Probes
{
    public const int TaskCommLength = 16;
    public const int NameMax = 256;
    private const long NrOpen = 2;
    private const long NrOpenat = 257;

    public static readonly uint TargetPid;
    public static readonly uint TargetTid;
    public static readonly uint TargetUid = uint.MaxValue;
    public static readonly bool TargetFailed;

    public static readonly HashMap<uint, PendingOpen> Start = new(maxEntries: 10240);
    public static readonly RingBuffer Events = new(size: 256 * 1024);

    [TpBtf("sys_enter")]
    public static int HandleEnter(ulong* ctx)
    {
        var id = (long)ctx[1];
        if (id != NrOpen && id != NrOpenat) return 0;
        var pidTgid = Bpf.GetCurrentPidTgid();
        var pid = (uint)(pidTgid >> 32);
        var tid = (uint)pidTgid;
        if (TargetPid != 0 && TargetPid != pid) return 0;
        if (TargetTid != 0 && TargetTid != tid) return 0;
        if (TargetUid != uint.MaxValue && TargetUid != (uint)Bpf.GetCurrentUidGid()) return 0;

        var regs = (SyscallRegs*)ctx[0];
        PendingOpen pending = default;
        if (id == NrOpen)
        {
            pending.Fname = regs->di;
            pending.Flags = (int)regs->si;
        }
        else
        {
            pending.Fname = regs->si;
            pending.Flags = (int)regs->dx;
        }
        Start.Update(tid, pending);
        return 0;
    }

    [TpBtf("sys_exit")]
    public static int HandleExit(ulong* ctx)
    {
        var regs = (SyscallRegs*)ctx[0];
        var id = (long)regs->orig_ax;
        if (id != NrOpen && id != NrOpenat) return 0;
        var pidTgid = Bpf.GetCurrentPidTgid();
        var tid = (uint)pidTgid;
        var pending = Start.Lookup(tid);
        if (pending == null) return 0;
        var ret = (int)(long)ctx[1];
        if (TargetFailed && ret >= 0)
        {
            Start.Delete(tid);
            return 0;
        }

        var e = Events.Reserve<OpenEvent>();
        if (e != null)
        {
            e->Pid = (uint)(pidTgid >> 32);
            e->Uid = (uint)Bpf.GetCurrentUidGid();
            e->Ret = ret;
            e->Flags = pending->Flags;
            Bpf.GetCurrentComm(e->Comm, TaskCommLength);
            Bpf.ProbeReadUserStr(e->Fname, NameMax, (void*)pending->Fname);
            Events.Submit(e);
        }
        Start.Delete(tid);
        return 0;
    }
}
