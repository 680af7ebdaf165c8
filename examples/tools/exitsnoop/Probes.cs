// The BPF half of exitsnoop, in C#: on every task exit (tp_btf/sched_process_exit) the exiting task's pid, tid,
// parent, exit code or signal, start time and name go to user space, through the ring buffer or, when the user
// half chooses it (older kernels, --perf-buffer), through a perf buffer.
using BpfSharp.Kernel;

namespace ExitSnoop;

/// <summary>The record sent to user space.</summary>
public unsafe struct ExitEvent
{
    public ulong StartTime;
    public ulong ExitTime;
    public uint Pid;
    public uint Tid;
    public uint Ppid;
    public uint Sig;
    public int ExitCode;
    public fixed byte Comm[Probes.TaskCommLength];
}

/// <summary>The task_struct fields exitsnoop reads (found by name at load time).</summary>
[Relocatable("task_struct")]
public unsafe struct Task
{
    public int pid;
    public int tgid;
    public int exit_code;
    public ulong start_time;
    public Task* real_parent;
}

public static unsafe class Probes
{
    public const int TaskCommLength = 16;

    /// <summary>Only this process (0: all).</summary>
    public static readonly uint TargetPid;
    /// <summary>Only exits with a non-zero code or a signal.</summary>
    public static readonly bool TraceFailedOnly;
    /// <summary>Report each thread's exit, not only the process's last one.</summary>
    public static readonly bool TraceThreads;
    /// <summary>Send through <see cref="PerfEvents"/> instead of <see cref="Events"/>.</summary>
    public static readonly bool UsePerfBuffer;

    public static readonly RingBuffer Events = new(size: 256 * 1024);
    public static readonly PerfEventArray PerfEvents = new();

    [TpBtf("sched_process_exit")]
    public static int HandleExit(ulong* ctx)
    {
        var pidTgid = Bpf.GetCurrentPidTgid();
        var pid = (uint)(pidTgid >> 32);
        var tid = (uint)pidTgid;
        if (TargetPid != 0 && TargetPid != pid) return 0;
        if (!TraceThreads && pid != tid) return 0;

        var task = (Task*)Bpf.GetCurrentTaskBtf();
        var exitCode = task->exit_code;
        if (TraceFailedOnly && exitCode == 0) return 0;

        ExitEvent e = default;
        e.StartTime = task->start_time;
        e.ExitTime = Bpf.KtimeGetNs();
        e.Pid = pid;
        e.Tid = tid;
        e.Ppid = (uint)task->real_parent->tgid;
        e.Sig = (uint)exitCode & 0xff;
        e.ExitCode = exitCode >> 8;
        Bpf.GetCurrentComm(e.Comm, TaskCommLength);
        if (UsePerfBuffer)
            PerfEvents.Output(ctx, in e);
        else
            Events.Output(in e);
        return 0;
    }
}
