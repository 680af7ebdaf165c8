// The BPF half of the tool, in C#. The build compiles this class to a BPF program and embeds the object in the
// assembly; these methods never run on .NET. Fields are BPF maps and globals: user space reaches them through the
// generated ProbesSkeleton (Program.cs), never directly.
using BpfSharp.Kernel;

[assembly: License("GPL")]

namespace BpfTrace;

/// <summary>One exec, as the kernel sends it to user space through the ring buffer.</summary>
public unsafe struct ExecEvent
{
    public int Pid;
    public int Ppid;
    public uint Uid;
    public int Reserved;
    public fixed byte Comm[16];
    public fixed byte Filename[Probes.FilenameLength];
}

/// <summary>The task_struct fields the program reads; their offsets come from the running kernel (CO-RE).</summary>
[Relocatable("task_struct")]
public unsafe struct Task
{
    public int tgid;
    public Task* real_parent;
}

/// <summary>The file being executed.</summary>
[Relocatable("linux_binprm")]
public unsafe struct LinuxBinprm
{
    public byte* filename;
}

public static unsafe class Probes
{
    public const int FilenameLength = 128;

    public static readonly RingBuffer Events = new(size: 256 * 1024);

    /// <summary>Only execs by this user id (uint.MaxValue: everyone). Set before load: the verifier then prunes the check.</summary>
    public static readonly uint TargetUid = uint.MaxValue;

    /// <summary>Only children of this process id (0: any parent).</summary>
    public static readonly int TargetPpid = 0;

    /// <summary>Events the ring buffer had no room for.</summary>
    public static ulong Dropped;

    // sched_process_exec(struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
    [TpBtf("sched_process_exec")]
    public static int OnExec(ulong* ctx)
    {
        var task = (Task*)ctx[0];
        var bprm = (LinuxBinprm*)ctx[2];
        var uid = Bpf.CurrentUid;
        if (TargetUid != uint.MaxValue && uid != TargetUid) return 0;
        var ppid = task->real_parent->tgid;
        if (TargetPpid != 0 && ppid != TargetPpid) return 0;

        var e = Events.Reserve<ExecEvent>();
        if (e == null)
        {
            System.Threading.Interlocked.Increment(ref Dropped);
            return 0;
        }

        e->Pid = task->tgid;
        e->Ppid = ppid;
        e->Uid = uid;
        Bpf.GetCurrentComm(e->Comm, 16);
        Bpf.ProbeReadKernelStr(e->Filename, FilenameLength, bprm->filename);
        Events.Submit(e);
        return 0;
    }
}
