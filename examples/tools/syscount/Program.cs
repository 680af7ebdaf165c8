// syscount: summarize syscall counts and latencies, with libbpf-tools syscount's options and output. The BPF half
// (Probes.cs) counts in a hash map; this half reads and clears it every interval (or once at the end) and prints
// the top entries.
using System.Globalization;
using BpfSharp.Linux.Tools;

namespace SysCount;

internal static unsafe class Program
{
    private const string Usage = """
        syscount: summarize syscall counts and latencies

        USAGE: syscount [-p PID] [-i INTERVAL] [-d DURATION] [-T TOP] [-x] [-e ERRNO] [-L] [-m] [-P] [-l]

        EXAMPLES:
            syscount                 # print top 10 syscalls by count every second
            syscount -p $(pidof dd)  # look only at a particular process
            syscount -L              # measure and sort output by latency
            syscount -P              # group statistics by pid, not by syscall
            syscount -x -i 5         # count only failed syscalls
            syscount -e 2 -i 5       # count only syscalls failed with a given errno (numeric)
        """;

    // A tool prints one line for what went wrong (no privileges, a kernel without BTF...), never a stack trace.
    private static int Main(string[] args) => ToolMain.Run("syscount", () => Run(args));

    private static int Run(string[] args)
    {
        uint pid = 0;
        int interval = 0, duration = 0, top = 10, errno = 0;
        bool failures = false, latency = false, milliseconds = false, byProcess = false;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "-p" or "--pid" when Positive(value, out var p): pid = (uint)p; i++; break;
                case "-i" or "--interval" when int.TryParse(value, out interval) && interval >= 0: i++; break;
                case "-d" or "--duration" when Positive(value, out duration): i++; break;
                case "-T" or "--top" when Positive(value, out top): i++; break;
                case "-e" or "--errno" when Positive(value, out errno): i++; break;
                case "-x" or "--failures": failures = true; break;
                case "-L" or "--latency": latency = true; break;
                case "-m" or "--milliseconds": milliseconds = true; break;
                case "-P" or "--process": byProcess = true; break;
                case "-l" or "--list":
                    for (var n = 0; n < SyscallNames.Count(SyscallNames.Current); n++)
                        if (SyscallNames.Name(n) is { } name) Console.WriteLine($"{n,3} {name}");
                    return 0;
                case "-h" or "--help": Console.WriteLine(Usage); return 0;
                default:
                    Console.Error.WriteLine($"syscount: invalid argument '{args[i]}'\n\n{Usage}");
                    return 2;
            }
        }

        using var probes = ProbesSkeleton.Open();
        probes.Globals.FilterPid = pid;
        probes.Globals.FilterFailed = failures;
        probes.Globals.FilterErrno = errno;
        probes.Globals.MeasureLatency = latency;
        probes.Globals.CountByProcess = byProcess;
        probes.Load();
        // sys_enter only matters for latencies, as in bcc (which attaches it only with -L).
        using var exitLink = BpfSharp.Linux.Links.SectionAttach.Attach(probes.Programs.HandleExit, "tp_btf/sys_exit");
        using var enterLink = latency ? BpfSharp.Linux.Links.SectionAttach.Attach(probes.Programs.HandleEnter, "tp_btf/sys_enter") : null;

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.Out.WriteLine($"Tracing syscalls, printing top {top}... Ctrl+C to quit.");
        Console.Out.Flush();
        var seconds = 0;
        var running = true;
        while (running)
        {
            stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(interval == 0 ? 1 : interval));
            if (stop.IsCancellationRequested) running = false;
            if (duration > 0)
            {
                seconds += interval == 0 ? 1 : interval;
                if (seconds >= duration) running = false;
            }
            if (running && interval == 0) continue;

            var totals = ReadAndClear(probes.Maps.Data);
            if (totals.Count == 0) continue;
            totals.Sort((a, b) => latency ? b.Totals.TotalNs.CompareTo(a.Totals.TotalNs) : b.Totals.Count.CompareTo(a.Totals.Count));
            var now = DateTime.Now;
            Console.Out.WriteLine($"[{now:HH:mm:ss}]");
            var column = byProcess ? "PID    COMM" : "SYSCALL";
            if (latency)
                Console.Out.WriteLine($"{column,-22} {"COUNT",8} {(milliseconds ? "TIME (ms)" : "TIME (us)"),16}");
            else
                Console.Out.WriteLine($"{column,-22} {"COUNT",8}");
            foreach (var (key, value) in totals.Take(top))
            {
                var name = byProcess ? ProcessColumn(key, value) : SyscallNames.NameOrNumber(key, SyscallNames.Current);
                if (latency)
                    Console.Out.WriteLine($"{name,-22} {value.Count,8} {(value.TotalNs / (milliseconds ? 1_000_000.0 : 1000.0)).ToString("F3", CultureInfo.InvariantCulture),16}");
                else
                    Console.Out.WriteLine($"{name,-22} {value.Count,8}");
            }
            Console.Out.WriteLine();
            Console.Out.Flush();
        }
        return 0;
    }

    private static string ProcessColumn(uint pid, SyscallTotals totals) =>
        $"{pid,-6} {CStrings.Decode(new ReadOnlySpan<byte>(totals.Comm, Probes.TaskCommLength)),-15}";

    /// <summary>Reads every entry and deletes it (bcc's non-batched path: counts that land in between are lost).</summary>
    private static List<(uint Key, SyscallTotals Totals)> ReadAndClear(BpfSharp.Linux.Maps.BpfMap<uint, SyscallTotals> map)
    {
        var result = new List<(uint, SyscallTotals)>();
        foreach (var key in map.Keys.ToList())
        {
            if (map.TryLookup(key, out var value)) result.Add((key, value));
            map.Delete(key);
        }
        return result;
    }

    private static bool Positive(string? text, out int value) => int.TryParse(text, out value) && value > 0;
}
