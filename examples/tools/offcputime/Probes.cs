// The BPF half of offcputime, in C#: when a task is switched out (tp_btf/sched_switch, prev) its kernel and user
// stacks and the time are kept; when it is switched back in (next) the time it spent off CPU is added to the
// total of that stack pair. bcc uses the same tracepoint (or a kprobe on finish_task_switch).
using BpfSharp.Kernel;

namespace OffCpuTime;

/// <summary>A task's stack pair: the totals' key.</summary>
public struct StackKey
{
    public uint Pid;
    public uint Tgid;
    public int UserStackId;
    public int KernelStackId;
}

/// <summary>Off-CPU microseconds of one stack pair and the task's name.</summary>
public unsafe struct StackValue
{
    public ulong Delta;
    public fixed byte Comm[Probes.TaskCommLength];
}

/// <summary>What a switched-out task leaves for its switch-in.</summary>
public struct SwitchedOut
{
    public ulong StartNs;
    public StackKey Key;
}

/// <summary>The task_struct fields offcputime reads (found by name at load time).</summary>
[Relocatable("task_struct")]
public unsafe struct Task
{
    public int pid;
    public int tgid;
    public uint flags;
    public uint __state;
    public fixed byte comm[16];
}

public static unsafe class Probes
{
    public const int TaskCommLength = 16;
    private const uint KernelThread = 0x00200000; // PF_KTHREAD

    public static readonly bool KernelThreadsOnly;
    public static readonly bool UserThreadsOnly;
    public static readonly ulong MaxBlockUs = ulong.MaxValue;
    public static readonly ulong MinBlockUs = 1;
    public static readonly uint TargetTgid;
    public static readonly uint TargetPid;
    public static readonly long State = -1;

    public static readonly HashMap<uint, SwitchedOut> Start = new(maxEntries: 10240);
    /// <summary>Sized by user space (bcc's --stack-storage-size, default 1024) before load.</summary>
    public static readonly StackTraceMap Stacks = new(maxEntries: 1024);
    public static readonly HashMap<StackKey, StackValue> Info = new(maxEntries: 10240);

    private static bool Allowed(Task* t)
    {
        if (TargetTgid != 0 && (uint)t->tgid != TargetTgid) return false;
        if (TargetPid != 0 && (uint)t->pid != TargetPid) return false;
        if (UserThreadsOnly && (t->flags & KernelThread) != 0) return false;
        if (KernelThreadsOnly && (t->flags & KernelThread) == 0) return false;
        if (State != -1 && t->__state != (ulong)State) return false;
        return true;
    }

    [TpBtf("sched_switch")]
    public static int HandleSwitch(ulong* ctx)
    {
        // sched_switch(bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int prev_state)
        var prev = (Task*)ctx[1];
        var next = (Task*)ctx[2];
        if (Allowed(prev))
        {
            var pid = (uint)prev->pid;
            // The idle threads of all CPUs are pid 0: tell them apart by CPU.
            if (pid == 0) pid = Bpf.GetSmpProcessorId();
            SwitchedOut o = default;
            o.Key.Pid = pid;
            o.Key.Tgid = (uint)prev->tgid;
            o.StartNs = Bpf.KtimeGetNs();
            o.Key.UserStackId = (prev->flags & KernelThread) != 0 ? -1 : (int)Stacks.GetStackId(ctx, StackIdFlags.UserStack);
            o.Key.KernelStackId = (int)Stacks.GetStackId(ctx, StackIdFlags.None);
            Start.Update(pid, o);
            StackValue value = default;
            Bpf.ProbeReadKernelStr(value.Comm, TaskCommLength, prev->comm);
            Info.Update(o.Key, value, UpdateFlags.NoExist);
        }

        var nextPid = (uint)next->pid;
        var switched = Start.Lookup(nextPid);
        if (switched == null) return 0;
        var delta = (long)(Bpf.KtimeGetNs() - switched->StartNs);
        if (delta >= 0)
        {
            var us = (ulong)delta / 1000;
            if (us >= MinBlockUs && us <= MaxBlockUs)
            {
                var total = Info.Lookup(switched->Key);
                if (total != null) System.Threading.Interlocked.Add(ref total->Delta, us);
            }
        }
        Start.Delete(nextPid);
        return 0;
    }
}
