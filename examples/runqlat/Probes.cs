// The BPF half of runqlat, in C#: how long tasks wait on a run queue between being woken and getting a CPU, as a
// log2 histogram in microseconds (bcc's runqlat without its options). Waits over LongWaitMicroseconds are also
// logged with BpfLog. The build compiles these methods to BPF; they never run on .NET.
using BpfSharp.Kernel;

namespace RunQLat;

/// <summary>The one task_struct field runqlat needs, found by name at load time.</summary>
[Relocatable("task_struct")]
public struct Task
{
    public int pid;
}

public static unsafe class Probes
{
    /// <summary>Waits at least this long are logged (set before load).</summary>
    public static readonly ulong LongWaitMicroseconds = 10_000;

    /// <summary>Wake-up time per pid.</summary>
    public static readonly HashMap<int, ulong> WokenAt = new(maxEntries: 10240);

    /// <summary>Slot i counts waits of [2^i, 2^(i+1)) microseconds.</summary>
    public static readonly PerCpuArrayMap<ulong> Latency = new(maxEntries: 32);

    /// <summary>Context switches that ended a measured wait.</summary>
    public static readonly PerCpuArrayMap<ulong> Measured = new(maxEntries: 1);

    [TpBtf("sched_wakeup")]
    public static int Wakeup(ulong* ctx) => Woken((Task*)ctx[0]);

    [TpBtf("sched_wakeup_new")]
    public static int WakeupNew(ulong* ctx) => Woken((Task*)ctx[0]);

    private static int Woken(Task* task)
    {
        int pid = task->pid;
        if (pid != 0)
        {
            WokenAt.Update(pid, Bpf.KtimeGetNs());
        }

        return 0;
    }

    // sched_switch(bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int prev_state)
    [TpBtf("sched_switch")]
    public static int Switch(ulong* ctx)
    {
        var next = (Task*)ctx[2];
        int pid = next->pid;
        ulong* woken = WokenAt.Lookup(pid);
        if (woken == null)
        {
            return 0;
        }

        ulong waited = (Bpf.KtimeGetNs() - *woken) / 1000;
        WokenAt.Delete(pid);
        ulong* slot = Latency.Lookup(Log2(waited));
        if (slot != null)
        {
            *slot += 1;
        }

        ulong* measured = Measured.Lookup(0);
        if (measured != null)
        {
            *measured += 1;
        }

        if (waited >= LongWaitMicroseconds)
        {
            uint cpu = Bpf.GetSmpProcessorId();
            BpfLog.Warning($"pid {pid} waited {waited} us for cpu {cpu}");
        }

        return 0;
    }

    /// <summary>floor(log2(v)), 0 for 0; capped at the histogram's last slot.</summary>
    private static uint Log2(ulong v)
    {
        uint r = 0;
        if (v > 0xFFFFFFFF) { v >>= 32; r += 32; }
        if (v > 0xFFFF) { v >>= 16; r += 16; }
        if (v > 0xFF) { v >>= 8; r += 8; }
        if (v > 0xF) { v >>= 4; r += 4; }
        if (v > 0x3) { v >>= 2; r += 2; }
        if (v > 0x1) { r += 1; }
        return r > 31 ? 31 : r;
    }
}
