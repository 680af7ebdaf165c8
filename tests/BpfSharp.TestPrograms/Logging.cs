using BpfSharp.Kernel;

namespace BpfSharp.TestPrograms;

/// <summary>Values a log test writes into <see cref="Logging.LogValues"/> for the BPF side to log.</summary>
public unsafe struct LogInputs
{
    public int Negative;
    public uint Count;
    public long Big;
    public ulong Mask;
    public short Small;
    public byte Tiny;
    public bool Flag;
    public char Letter;
    public Ipv4Address Source;
    public Ipv6Address Destination;
    public MacAddress Station;
    public ulong UserText;
    public fixed byte Name[16];
    public fixed char WideName[8];
}

/// <summary>BpfLog calls with every kind of hole, run on getppid() of one thread (raw tracepoint sys_enter).</summary>
public static unsafe class Logging
{
    public const int GetppidSyscall = 110;

    static readonly ArrayMap<LogInputs> LogValues = new(maxEntries: 1);
    static uint LogThread;

    [RawTracepoint("sys_enter")]
    public static int LogEveryKind(ulong* ctx)
    {
        if (ctx[1] != GetppidSyscall || Bpf.CurrentPid != LogThread)
        {
            return 0;
        }

        LogInputs* v = LogValues.Lookup(0);
        if (v == null)
        {
            return 0;
        }

        uint tgid = Bpf.CurrentTgid;
        BpfLog.Trace($"tgid {tgid}");
        BpfLog.Information($"ints {v->Negative} {v->Count} {v->Big} {v->Mask:x} {v->Small} {v->Tiny:X} {v->Flag} {v->Letter} {{braces}}");
        BpfLog.Warning($"addresses {v->Source} {v->Destination} {v->Station} {v->Count:ipv4}");
        BpfLog.Error($"text {v->Name} {v->WideName} {(byte*)v->UserText:ustr} {v->Name:str8}");
        BpfLog.Critical($"pointer {(void*)v->UserText}");
        return 0;
    }

    [RawTracepoint("sys_enter")]
    public static int LogFlood(ulong* ctx)
    {
        if (ctx[1] != GetppidSyscall || Bpf.CurrentPid != LogThread)
        {
            return 0;
        }

        LogInputs* v = LogValues.Lookup(0);
        if (v == null)
        {
            return 0;
        }

        // ~230-byte records: a 64 KiB ring holds a few hundred.
        BpfLog.Debug($"flood {(byte*)v->UserText:ustr200} {v->Big}");
        return 0;
    }
}

/// <summary>A counter and a log2 histogram in maps, fed by getppid() of one thread with the value the test sets.</summary>
public static unsafe class Metrics
{
    static readonly PerCpuArrayMap<ulong> SampleCalls = new(maxEntries: 1);
    static readonly PerCpuArrayMap<ulong> SampleSizes = new(maxEntries: 32);
    static uint MetricsThread;
    static ulong MetricsSample;

    [RawTracepoint("sys_enter")]
    public static int CountAndMeasure(ulong* ctx)
    {
        if (ctx[1] != Logging.GetppidSyscall || Bpf.CurrentPid != MetricsThread)
        {
            return 0;
        }

        ulong* calls = SampleCalls.Lookup(0);
        if (calls != null)
        {
            *calls += 1;
        }

        ulong* bucket = SampleSizes.Lookup(Log2(MetricsSample));
        if (bucket != null)
        {
            *bucket += 1;
        }

        return 0;
    }

    /// <summary>floor(log2(v)), 0 for 0 (bcc's log2l).</summary>
    private static uint Log2(ulong v)
    {
        uint r = 0;
        if (v > 0xFFFFFFFF) { v >>= 32; r += 32; }
        if (v > 0xFFFF) { v >>= 16; r += 16; }
        if (v > 0xFF) { v >>= 8; r += 8; }
        if (v > 0xF) { v >>= 4; r += 4; }
        if (v > 0x3) { v >>= 2; r += 2; }
        if (v > 0x1) { r += 1; }
        return r;
    }
}

/// <summary>Programs that differ only in one log call, to measure what a call and each kind of hole cost.</summary>
public static unsafe class LogCost
{
    [RawTracepoint("sys_enter")]
    public static int CostBaseline(ulong* ctx) => (int)ctx[1];

    [RawTracepoint("sys_enter")]
    public static int CostTextOnly(ulong* ctx)
    {
        BpfLog.Information($"a syscall");
        return (int)ctx[1];
    }

    [RawTracepoint("sys_enter")]
    public static int CostOneInteger(ulong* ctx)
    {
        ulong id = ctx[1];
        BpfLog.Information($"syscall {id}");
        return (int)id;
    }

    [RawTracepoint("sys_enter")]
    public static int CostFourIntegers(ulong* ctx)
    {
        ulong id = ctx[1];
        BpfLog.Information($"syscall {id} {id} {id} {id}");
        return (int)id;
    }

    [RawTracepoint("sys_enter")]
    public static int CostOneString(ulong* ctx)
    {
        BpfLog.Information($"regs {(byte*)ctx[0]:str}");
        return (int)ctx[1];
    }
}
