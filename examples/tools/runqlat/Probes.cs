// The BPF half of runqlat, in C#: a task's enqueue time is kept when it is woken (tp_btf/sched_wakeup,
// sched_wakeup_new) or preempted while runnable (tp_btf/sched_switch, prev); when it is switched in, the time it
// waited goes into a log2 histogram (one for everything, or one per process or thread).
using BpfSharp.Kernel;
using ToolShared;

namespace RunqLat;

/// <summary>A log2 histogram of run queue latencies, with the name of the task it belongs to.</summary>
public unsafe struct LatencyHistogram
{
    public fixed uint Slots[Probes.MaxSlots];
    public fixed byte Comm[Probes.TaskCommLength];
}

/// <summary>The task_struct fields runqlat reads (found by name at load time).</summary>
[Relocatable("task_struct")]
public unsafe struct Task
{
    public int pid;
    public int tgid;
    public uint __state;
    public fixed byte comm[16];
}

public static unsafe class Probes
{
    public const int MaxSlots = 26;
    public const int TaskCommLength = 16;
    private const uint TaskRunning = 0;

    public static readonly uint TargetTgid;
    public static readonly bool PerProcess;
    public static readonly bool PerThread;
    public static readonly bool Milliseconds;

    public static readonly HashMap<uint, ulong> Start = new(maxEntries: 10240);
    public static readonly HashMap<uint, LatencyHistogram> Histograms = new(maxEntries: 10240);

    private static void Enqueue(Task* task)
    {
        var pid = (uint)task->pid;
        if (pid == 0) return;
        if (TargetTgid != 0 && (uint)task->tgid != TargetTgid) return;
        var now = Bpf.KtimeGetNs();
        Start.Update(pid, now);
    }

    [TpBtf("sched_wakeup")]
    public static int HandleWakeup(ulong* ctx)
    {
        Enqueue((Task*)ctx[0]);
        return 0;
    }

    [TpBtf("sched_wakeup_new")]
    public static int HandleWakeupNew(ulong* ctx)
    {
        Enqueue((Task*)ctx[0]);
        return 0;
    }

    [TpBtf("sched_switch")]
    public static int HandleSwitch(ulong* ctx)
    {
        // sched_switch(bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int prev_state)
        var prev = (Task*)ctx[1];
        var next = (Task*)ctx[2];
        if (prev->__state == TaskRunning) Enqueue(prev);

        var pid = (uint)next->pid;
        var started = Start.Lookup(pid);
        if (started == null) return 0;
        var delta = Bpf.KtimeGetNs() - *started;
        Start.Delete(pid);
        delta = Milliseconds ? delta / 1000000 : delta / 1000;

        uint key = 0;
        if (PerProcess) key = (uint)next->tgid;
        else if (PerThread) key = pid;
        var histogram = Histograms.Lookup(key);
        if (histogram == null)
        {
            LatencyHistogram zero = default;
            Histograms.Update(key, zero, UpdateFlags.NoExist);
            histogram = Histograms.Lookup(key);
            if (histogram == null) return 0;
            if (PerProcess || PerThread) Bpf.ProbeReadKernelStr(histogram->Comm, TaskCommLength, next->comm);
        }
        var slot = Bits.Log2(delta);
        if (slot >= MaxSlots) slot = MaxSlots - 1;
        System.Threading.Interlocked.Increment(ref histogram->Slots[slot]);
        return 0;
    }
}
