// biolatency: summarize block device I/O latency as a histogram, with libbpf-tools biolatency's options and output.
// The BPF half (Probes.cs) fills log2 histograms keyed by disk and request flags; this half prints (and clears)
// them every interval, naming disks from /proc/partitions and request flags from the kernel's own BTF.
using BpfSharp.Btf;
using BpfSharp.Linux.Tools;

namespace BioLatency;

internal static class Program
{
    private const string Usage = """
        Summarize block device I/O latency as a histogram.

        USAGE: biolatency [--help] [-T] [-m] [-Q] [-D] [-F] [-d DISK] [-c CG] [interval] [count]

        EXAMPLES:
            biolatency              # summarize block I/O latency as a histogram
            biolatency 1 10         # print 1 second summaries, 10 times
            biolatency -mT 1        # 1s summaries, milliseconds, and timestamps
            biolatency -Q           # include OS queued time in I/O time
            biolatency -D           # show each disk device separately
            biolatency -F           # show I/O flags separately
            biolatency -d sdc       # Trace sdc only
            biolatency -c CG        # Trace process under cgroupsPath CG
        """;

    private const int DiskNameLength = 32;

    private static int Main(string[] args) => ToolMain.Run("biolatency", () => Run(args));

    private static int Run(string[] args)
    {
        bool timestamp = false, milliseconds = false, queued = false, perDisk = false, perFlag = false;
        string? disk = null, cgroup = null;
        var interval = 99999999;
        var times = 99999999;
        var positional = 0;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var value = i + 1 < args.Length ? args[i + 1] : null;
            if (arg is "-d" or "--disk" && value is not null) { disk = value; i++; continue; }
            if (arg is "-c" or "--cgroup" && value is not null) { cgroup = value; i++; continue; }
            if (arg is "-h" or "--help") { Console.WriteLine(Usage); return 0; }
            // Short flags combine as in argp: -mT, -DF.
            if (arg.Length > 1 && arg[0] == '-' && arg[1] != '-' && arg[1..].All(c => "TmQDF".Contains(c)))
            {
                foreach (var c in arg[1..])
                {
                    switch (c)
                    {
                        case 'T': timestamp = true; break;
                        case 'm': milliseconds = true; break;
                        case 'Q': queued = true; break;
                        case 'D': perDisk = true; break;
                        case 'F': perFlag = true; break;
                    }
                }
                continue;
            }
            switch (arg)
            {
                case "--timestamp": timestamp = true; continue;
                case "--milliseconds": milliseconds = true; continue;
                case "--queued": queued = true; continue;
                case "--flag": perFlag = true; continue;
            }
            if (positional < 2 && int.TryParse(arg, out var number) && number > 0)
            {
                if (positional++ == 0) interval = number;
                else times = number;
                continue;
            }
            Console.Error.WriteLine($"biolatency: invalid argument '{arg}'\n\n{Usage}");
            return 2;
        }
        if (disk is not null && disk.Length + 1 > DiskNameLength)
        {
            Console.Error.WriteLine("biolatency: invalid disk name: too long");
            return 2;
        }

        var partitions = Partitions.Load();
        using var probes = ProbesSkeleton.Open();
        if (disk is not null)
        {
            if (!partitions.TryGetByName(disk, out var dev))
            {
                Console.Error.WriteLine($"biolatency: invalid partition name: {disk} does not exist");
                return 1;
            }
            probes.Globals.FilterDev = true;
            probes.Globals.TargetDev = dev;
        }
        probes.Globals.PerDisk = perDisk;
        probes.Globals.PerFlag = perFlag;
        probes.Globals.Milliseconds = milliseconds;
        probes.Globals.Queued = queued;
        probes.Globals.FilterCgroup = cgroup is not null;
        // The insert tracepoint only matters for -Q (queued time included).
        if (!queued) probes.Object.SetAutoload(nameof(Probes.HandleInsert), false);
        probes.Load();
        using var cgroupDirectory = cgroup is null ? null : File.OpenHandle(cgroup, FileMode.Open, FileAccess.Read);
        if (cgroupDirectory is not null)
            probes.Maps.CgroupFilter.Update(0u, (uint)cgroupDirectory.DangerousGetHandle());
        using var links = probes.AttachAll();
        var flagNames = perFlag ? RequestFlags.FromKernelBtf() : null;

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.Out.WriteLine("Tracing block device I/O... Hit Ctrl-C to end.");
        Console.Out.Flush();
        while (true)
        {
            stop.Token.WaitHandle.WaitOne(interval >= int.MaxValue / 1000 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(interval));
            Console.Out.WriteLine();
            if (timestamp) Console.Out.WriteLine($"{DateTime.Now:HH:mm:ss}");
            PrintAndClear(probes.Maps.Histograms, partitions, perDisk, flagNames, milliseconds ? "msecs" : "usecs");
            Console.Out.Flush();
            if (stop.IsCancellationRequested || --times == 0) break;
        }
        return 0;
    }

    private static unsafe void PrintAndClear(BpfSharp.Linux.Maps.BpfMap<HistogramKey, LatencyHistogram> map, Partitions partitions,
        bool perDisk, RequestFlags? flagNames, string units)
    {
        var keys = map.Keys.ToList();
        foreach (var key in keys)
        {
            if (!map.TryLookup(key, out var histogram)) continue;
            if (perDisk) Console.Out.Write($"\ndisk = {partitions.NameOf(key.Dev) ?? "Unknown"}\t");
            if (flagNames is not null) Console.Out.Write("flags = " + flagNames.Describe(key.CmdFlags));
            Console.Out.WriteLine();
            Histogram.WriteLog2(Console.Out, new ReadOnlySpan<uint>(histogram.Slots, Probes.MaxSlots), units);
        }
        foreach (var key in keys) map.Delete(key);
    }
}

/// <summary>The block devices of /proc/partitions, by the kernel's internal dev_t (major &lt;&lt; 20 | minor).</summary>
internal sealed class Partitions
{
    private readonly Dictionary<uint, string> _names = [];

    public static Partitions Load()
    {
        var result = new Partitions();
        foreach (var line in File.ReadLines("/proc/partitions"))
        {
            // "major minor  #blocks  name"; the header and the blank line do not parse.
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 4 || !uint.TryParse(fields[0], out var major) || !uint.TryParse(fields[1], out var minor)) continue;
            result._names[(major << 20) | minor] = fields[3];
        }
        return result;
    }

    public string? NameOf(uint dev) => _names.GetValueOrDefault(dev);

    public bool TryGetByName(string name, out uint dev)
    {
        foreach (var (d, n) in _names)
        {
            if (n != name) continue;
            dev = d;
            return true;
        }
        dev = 0;
        return false;
    }
}

/// <summary>
/// Request flags as biolatency -F prints them ("Sync-Write"). The bit numbers moved between kernel versions, so
/// they come from the running kernel's BTF (enum req_flag_bits, enum req_op) rather than from a table.
/// </summary>
internal sealed class RequestFlags
{
    // bcc's order and words.
    private static readonly (string Bit, string Text)[] FlagTexts =
    [
        ("__REQ_NOWAIT", "NoWait-"), ("__REQ_BACKGROUND", "Background-"), ("__REQ_RAHEAD", "ReadAhead-"),
        ("__REQ_PREFLUSH", "PreFlush-"), ("__REQ_FUA", "FUA-"), ("__REQ_INTEGRITY", "Integrity-"), ("__REQ_IDLE", "Idle-"),
        ("__REQ_NOMERGE", "NoMerge-"), ("__REQ_PRIO", "Priority-"), ("__REQ_META", "Metadata-"), ("__REQ_SYNC", "Sync-"),
    ];

    private static readonly Dictionary<string, string> OpTexts = new()
    {
        ["REQ_OP_READ"] = "Read", ["REQ_OP_WRITE"] = "Write", ["REQ_OP_FLUSH"] = "Flush", ["REQ_OP_DISCARD"] = "Discard",
        ["REQ_OP_SECURE_ERASE"] = "SecureErase", ["REQ_OP_ZONE_RESET"] = "ZoneReset", ["REQ_OP_WRITE_SAME"] = "WriteSame",
        ["REQ_OP_ZONE_RESET_ALL"] = "ZoneResetAll", ["REQ_OP_WRITE_ZEROES"] = "WriteZeroes", ["REQ_OP_ZONE_OPEN"] = "ZoneOpen",
        ["REQ_OP_ZONE_CLOSE"] = "ZoneClose", ["REQ_OP_ZONE_FINISH"] = "ZoneFinish", ["REQ_OP_SCSI_IN"] = "SCSIIn",
        ["REQ_OP_SCSI_OUT"] = "SCSIOut", ["REQ_OP_DRV_IN"] = "DrvIn", ["REQ_OP_DRV_OUT"] = "DrvOut",
    };

    private readonly List<(uint Mask, string Text)> _flags = [];
    private readonly Dictionary<uint, string> _ops = [];
    private uint _opMask = 0xff;

    public static RequestFlags FromKernelBtf()
    {
        var btf = BtfSpec.Load("/sys/kernel/btf/vmlinux");
        var result = new RequestFlags();
        var bits = Enumerators(btf, "req_flag_bits");
        // The op is the low REQ_OP_BITS bits; the first flag bit says how many.
        if (bits.TryGetValue("__REQ_FAILFAST_DEV", out var firstFlag)) result._opMask = (1u << (int)firstFlag) - 1;
        foreach (var (bit, text) in FlagTexts)
            if (bits.TryGetValue(bit, out var number)) result._flags.Add((1u << (int)number, text));
        foreach (var (name, value) in Enumerators(btf, "req_op"))
            if (OpTexts.TryGetValue(name, out var text)) result._ops[(uint)value] = text;
        return result;
    }

    private static Dictionary<string, long> Enumerators(BtfSpec btf, string enumName)
    {
        var result = new Dictionary<string, long>();
        var id = btf.FindByName(enumName, BtfKind.Enum);
        if (id <= 0) return result;
        var type = btf[id];
        for (var i = 0; i < type.Vlen; i++)
        {
            var e = type.GetEnumValue(i);
            result[e.Name] = e.Value;
        }
        return result;
    }

    public string Describe(uint cmdFlags)
    {
        var text = new System.Text.StringBuilder();
        foreach (var (mask, flag) in _flags)
            if ((cmdFlags & mask) != 0) text.Append(flag);
        text.Append(_ops.GetValueOrDefault(cmdFlags & _opMask, "Unknown"));
        return text.ToString();
    }
}
