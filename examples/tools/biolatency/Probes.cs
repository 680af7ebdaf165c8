// The BPF half of biolatency, in C#: a request's start time is kept when it is issued to the device
// (tp_btf/block_rq_issue), or with -Q when it is queued (tp_btf/block_rq_insert); when it completes
// (tp_btf/block_rq_complete) the time it took goes into a log2 histogram, one for everything or one per disk
// (-D) and/or per set of request flags (-F).
using BpfSharp.Kernel;
using ToolShared;

namespace BioLatency;

/// <summary>Which histogram a completion goes into: the request's flags (-F) and disk (-D), else zero.</summary>
public struct HistogramKey
{
    public uint CmdFlags;
    public uint Dev;
}

/// <summary>A log2 histogram of block I/O latencies.</summary>
public unsafe struct LatencyHistogram
{
    public fixed uint Slots[Probes.MaxSlots];
}

/// <summary>The struct request fields biolatency reads (found by name at load time).</summary>
[Relocatable("request")]
public unsafe struct Request
{
    public RequestQueue* q;
    public uint cmd_flags;
}

[Relocatable("request_queue")]
public unsafe struct RequestQueue
{
    public void* elevator;
    public Gendisk* disk;
}

[Relocatable("gendisk")]
public struct Gendisk
{
    public int major;
    public int first_minor;
}

public static unsafe class Probes
{
    public const int MaxSlots = 27;
    private const int MinorBits = 20;

    public static readonly bool FilterDev;
    public static readonly uint TargetDev;
    public static readonly bool PerDisk;
    public static readonly bool PerFlag;
    public static readonly bool Queued;
    public static readonly bool Milliseconds;
    public static readonly bool FilterCgroup;

    /// <summary>-c: the cgroup (slot 0) whose tasks are traced.</summary>
    public static readonly CgroupArrayMap CgroupFilter = new(maxEntries: 1);

    public static readonly HashMap<ulong, ulong> Start = new(maxEntries: 10240);
    public static readonly HashMap<HistogramKey, LatencyHistogram> Histograms = new(maxEntries: 10240);

    /// <summary>The request's device as the kernel's dev_t (major &lt;&lt; 20 | minor), 0 without a disk.</summary>
    private static uint DeviceOf(Request* rq)
    {
        var disk = rq->q->disk;
        if (disk == null) return 0;
        return ((uint)disk->major << MinorBits) | (uint)disk->first_minor;
    }

    private static void RequestStarted(Request* rq, bool issue)
    {
        if (FilterCgroup && Bpf.CurrentTaskUnderCgroup(CgroupFilter, 0) == 0) return;
        // With -Q the insert already started the clock, unless the queue has no I/O scheduler (no insert event).
        if (issue && Queued && rq->q->elevator != null) return;
        var now = Bpf.KtimeGetNs();
        if (FilterDev && DeviceOf(rq) != TargetDev) return;
        Start.Update((ulong)rq, now);
    }

    [TpBtf("block_rq_insert")]
    public static int HandleInsert(ulong* ctx)
    {
        RequestStarted((Request*)ctx[0], issue: false);
        return 0;
    }

    [TpBtf("block_rq_issue")]
    public static int HandleIssue(ulong* ctx)
    {
        RequestStarted((Request*)ctx[0], issue: true);
        return 0;
    }

    [TpBtf("block_rq_complete")]
    public static int HandleComplete(ulong* ctx)
    {
        // block_rq_complete(struct request *rq, blk_status_t error, unsigned int nr_bytes)
        var rq = (Request*)ctx[0];
        var now = Bpf.KtimeGetNs();
        if (FilterCgroup && Bpf.CurrentTaskUnderCgroup(CgroupFilter, 0) == 0) return 0;
        var key = (ulong)rq;
        var started = Start.Lookup(key);
        if (started == null) return 0;
        var delta = (long)(now - *started);
        if (delta >= 0)
        {
            HistogramKey histogramKey = default;
            if (PerDisk) histogramKey.Dev = DeviceOf(rq);
            if (PerFlag) histogramKey.CmdFlags = rq->cmd_flags;
            var histogram = Histograms.Lookup(histogramKey);
            if (histogram == null)
            {
                LatencyHistogram zero = default;
                Histograms.Update(histogramKey, zero, UpdateFlags.Any);
                histogram = Histograms.Lookup(histogramKey);
            }
            if (histogram != null)
            {
                var scaled = Milliseconds ? (ulong)delta / 1000000 : (ulong)delta / 1000;
                var slot = Bits.Log2(scaled);
                if (slot >= MaxSlots) slot = MaxSlots - 1;
                System.Threading.Interlocked.Increment(ref histogram->Slots[slot]);
            }
        }
        Start.Delete(key);
        return 0;
    }
}
