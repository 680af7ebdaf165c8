// The BPF half of execsnoop, in C#. BpfSharp's compiler turns these methods into BPF programs when the tool starts
// (Program.cs); they never run on .NET. On entry to execve() the argument strings are copied into a pending
// entry for the thread; on exit the return value, command name and parent's tgid are added and the record goes
// to user space through the ring buffer.
using BpfSharp.Kernel;

namespace ExecSnoop;

/// <summary>The record sent to user space (read by <see cref="Program"/>).</summary>
public unsafe struct ExecEvent
{
    public int Pid;
    public int Ppid;
    public int Ret;
    public uint ArgsSize;
    public fixed byte Comm[Probes.TaskCommLength];
    public fixed byte Args[Probes.ArgsSize];
}

/// <summary>The registers of the syscall (x86-64 <c>struct pt_regs</c>): fields found by name at load time.</summary>
[Relocatable("pt_regs")]
public struct SyscallRegs
{
    public ulong si;
    public ulong orig_ax;
}

/// <summary>The few task_struct fields execsnoop needs.</summary>
[Relocatable("task_struct")]
public unsafe struct Task
{
    public int tgid;
    public Task* real_parent;
}

public static unsafe class Probes
{
    public const int TaskCommLength = 16;
    public const int ArgsSize = 384;
    private const int MaxArgs = 20;
    private const int ArgMaxLength = 128;
    private const long NrExecve = 59;

    public static readonly RingBuffer Events = new(size: 256 * 1024);
    public static readonly HashMap<uint, ExecEvent> Pending = new(maxEntries: 1024);

    /// <summary>Zeroed template for new pending entries (too big for the 512-byte stack).</summary>
    public static readonly PerCpuArrayMap<ExecEvent> Scratch = new(maxEntries: 1);

    /// <summary>Records the ring buffer had no room for.</summary>
    public static ulong Dropped;

    [TpBtf("sys_enter")]
    public static int HandleEnter(ulong* ctx)
    {
        var regs = (SyscallRegs*)ctx[0];
        if ((long)ctx[1] != NrExecve)
        {
            return 0;
        }

        var e = Scratch.Lookup(0);
        if (e == null)
        {
            return 0;
        }

        var pidTgid = Bpf.GetCurrentPidTgid();
        var tid = (uint)pidTgid;
        e->Pid = (int)(pidTgid >> 32);
        e->ArgsSize = 0;

        var argv = (byte**)regs->si;
        for (var i = 0; i < MaxArgs; i++)
        {
            byte* arg = null;
            if (Bpf.ProbeReadUser(&arg, 8, &argv[i]) != 0 || arg == null)
            {
                break;
            }

            var used = e->ArgsSize;
            if (used > ArgsSize - ArgMaxLength)
            {
                break;
            }

            var n = Bpf.ProbeReadUserStr(&e->Args[used], ArgMaxLength, arg);
            if (n <= 0)
            {
                break;
            }

            e->ArgsSize = used + (uint)n;
        }

        Pending.Update(tid, *e);
        return 0;
    }

    [TpBtf("sys_exit")]
    public static int HandleExit(ulong* ctx)
    {
        var regs = (SyscallRegs*)ctx[0];
        if ((long)regs->orig_ax != NrExecve)
        {
            return 0;
        }

        var tid = (uint)Bpf.GetCurrentPidTgid();
        var pending = Pending.Lookup(tid);
        if (pending == null)
        {
            return 0;
        }

        var e = Events.Reserve<ExecEvent>();
        if (e == null)
        {
            System.Threading.Interlocked.Increment(ref Dropped);
            Pending.Delete(tid);
            return 0;
        }

        *e = *pending;
        e->Ret = (int)ctx[1];
        Bpf.GetCurrentComm(e->Comm, TaskCommLength);
        var task = (Task*)Bpf.GetCurrentTaskBtf();
        e->Ppid = task->real_parent->tgid;
        Events.Submit(e);
        Pending.Delete(tid);
        return 0;
    }
}
