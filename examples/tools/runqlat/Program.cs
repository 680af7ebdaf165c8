// runqlat: summarize run queue (scheduler) latency as a histogram, with libbpf-tools runqlat's options and output.
// The BPF half (Probes.cs) fills log2 histograms in a hash map; this half prints (and clears) them every interval,
// formatted by BpfSharp.Linux.Tools.Histogram exactly as bcc's print_log2_hist.
using BpfSharp.Linux.Tools;

namespace RunqLat;

internal static unsafe class Program
{
    private const string Usage = """
        Summarize run queue (scheduler) latency as a histogram.

        USAGE: runqlat [--help] [-T] [-m] [-P] [-L] [-p PID] [interval] [count]

        EXAMPLES:
            runqlat         # summarize run queue latency as a histogram
            runqlat 1 10    # print 1 second summaries, 10 times
            runqlat -mT 1   # 1s summaries, milliseconds, and timestamps
            runqlat -P      # show each PID separately
            runqlat -p 185  # trace PID 185 only
        """;

    // A tool prints one line for what went wrong (no privileges, a kernel without BTF...), never a stack trace.
    private static int Main(string[] args) => ToolMain.Run("runqlat", () => Run(args));

    private static int Run(string[] args)
    {
        bool timestamp = false, milliseconds = false, perProcess = false, perThread = false;
        uint pid = 0;
        var interval = 99999999;
        var times = 99999999;
        var positional = 0;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "-T" or "--timestamp": timestamp = true; break;
                case "-m" or "--milliseconds": milliseconds = true; break;
                case "-P" or "--pids": perProcess = true; break;
                case "-L" or "--tids": perThread = true; break;
                case "-mT" or "-Tm": milliseconds = timestamp = true; break;
                case "-p" or "--pid" when uint.TryParse(value, out pid) && pid > 0: i++; break;
                case "-h" or "--help": Console.WriteLine(Usage); return 0;
                default:
                    if (positional < 2 && int.TryParse(args[i], out var number) && number > 0)
                    {
                        if (positional++ == 0) interval = number;
                        else times = number;
                        break;
                    }
                    Console.Error.WriteLine($"runqlat: invalid argument '{args[i]}'\n\n{Usage}");
                    return 2;
            }
        }
        if (perProcess && perThread)
        {
            Console.Error.WriteLine("runqlat: -P and -L are exclusive");
            return 2;
        }

        using var probes = ProbesSkeleton.Open();
        probes.Globals.TargetTgid = pid;
        probes.Globals.PerProcess = perProcess;
        probes.Globals.PerThread = perThread;
        probes.Globals.Milliseconds = milliseconds;
        probes.Load();
        using var links = probes.AttachAll();

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.Out.WriteLine("Tracing run queue latency... Hit Ctrl-C to end.");
        Console.Out.Flush();
        while (true)
        {
            // Without an interval, wait for Ctrl-C (bcc's default interval, 99999999 s, is past what a wait takes).
            stop.Token.WaitHandle.WaitOne(interval >= int.MaxValue / 1000 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(interval));
            Console.Out.WriteLine();
            if (timestamp) Console.Out.WriteLine($"{DateTime.Now:HH:mm:ss}");
            PrintAndClear(probes.Maps.Histograms, perProcess, perThread, milliseconds ? "msecs" : "usecs");
            Console.Out.Flush();
            if (stop.IsCancellationRequested || --times == 0) break;
        }
        return 0;
    }

    private static void PrintAndClear(BpfSharp.Linux.Maps.BpfMap<uint, LatencyHistogram> map, bool perProcess, bool perThread, string units)
    {
        foreach (var key in map.Keys.ToList())
        {
            if (!map.TryLookup(key, out var histogram)) continue;
            if (perProcess)
                Console.Out.WriteLine($"\npid = {key} {CStrings.Decode(new ReadOnlySpan<byte>(histogram.Comm, Probes.TaskCommLength))}");
            else if (perThread)
                Console.Out.WriteLine($"\ntid = {key} {CStrings.Decode(new ReadOnlySpan<byte>(histogram.Comm, Probes.TaskCommLength))}");
            Histogram.WriteLog2(Console.Out, new ReadOnlySpan<uint>(histogram.Slots, Probes.MaxSlots), units);
            map.Delete(key);
        }
    }
}
