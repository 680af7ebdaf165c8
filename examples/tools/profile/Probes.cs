// The BPF half of profile, in C#: a perf_event program runs on every cpu-clock sample (user space opens the
// sampling event on every CPU) and counts the sampled task's kernel and user stacks, recorded in a stack trace map
// whose size user space sets before load (--stack-storage-size).
using BpfSharp.Kernel;

namespace Profile;

/// <summary>One sampled stack pair of one process: the count's key.</summary>
public unsafe struct StackKey
{
    public uint Pid;
    public int UserStackId;
    public int KernelStackId;
    public fixed byte Name[Probes.TaskCommLength];
}

public static unsafe class Probes
{
    public const int TaskCommLength = 16;

    public static readonly bool UserStacksOnly;
    public static readonly bool KernelStacksOnly;
    public static readonly bool IncludeIdle;
    public static readonly bool FilterByPid;
    public static readonly bool FilterByTid;

    /// <summary>Sized by user space (bcc's --stack-storage-size, default 1024) before load.</summary>
    public static readonly StackTraceMap Stacks = new(maxEntries: 1024);
    public static readonly HashMap<StackKey, ulong> Counts = new(maxEntries: 10240);
    public static readonly HashMap<uint, byte> Pids = new(maxEntries: 1024);
    public static readonly HashMap<uint, byte> Tids = new(maxEntries: 1024);

    [PerfEvent]
    public static int Sample(PerfEventData* ctx)
    {
        var id = Bpf.GetCurrentPidTgid();
        var pid = (uint)(id >> 32);
        var tid = (uint)id;
        if (!IncludeIdle && tid == 0) return 0;
        if (FilterByPid && Pids.Lookup(pid) == null) return 0;
        if (FilterByTid && Tids.Lookup(tid) == null) return 0;

        StackKey key = default;
        key.Pid = pid;
        Bpf.GetCurrentComm(key.Name, TaskCommLength);
        key.KernelStackId = UserStacksOnly ? -1 : (int)Stacks.GetStackId(ctx, StackIdFlags.None);
        key.UserStackId = KernelStacksOnly ? -1 : (int)Stacks.GetStackId(ctx, StackIdFlags.UserStack);

        var count = Counts.Lookup(key);
        if (count == null)
        {
            ulong zero = 0;
            Counts.Update(key, zero, UpdateFlags.NoExist);
            count = Counts.Lookup(key);
            if (count == null) return 0;
        }
        System.Threading.Interlocked.Increment(ref *count);
        return 0;
    }
}
