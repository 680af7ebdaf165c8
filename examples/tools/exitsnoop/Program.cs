// exitsnoop: trace process exits with libbpf-tools exitsnoop's options and columns. The BPF half (Probes.cs) is
// compiled by the build and embedded; this half sets the filters, loads, attaches and prints each exit.
using System.Globalization;
using BpfSharp.Linux.RingBuffer;
using BpfSharp.Linux.Tools;

namespace ExitSnoop;

internal static unsafe class Program
{
    private const string Usage = """
        Trace process termination.

        USAGE: exitsnoop [-h] [-t] [-x] [-p PID] [-T] [--duration SECONDS] [--perf-buffer]

        EXAMPLES:
            exitsnoop             # trace process exit events
            exitsnoop -t          # include timestamps
            exitsnoop -x          # trace error exits only
            exitsnoop -p 1216     # only trace PID 1216
            exitsnoop -T          # trace by thread
        """;

    // A tool prints one line for what went wrong (no privileges, a kernel without BTF...), never a stack trace.
    private static int Main(string[] args) => ToolMain.Run("exitsnoop", () => Run(args));

    private static int Run(string[] args)
    {
        var timestamps = false;
        var failedOnly = false;
        var threads = false;
        var perf = !EventReader.RingBufferSupported;
        uint pid = 0;
        double? duration = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-t" or "--timestamp": timestamps = true; break;
                case "-x" or "--failed": failedOnly = true; break;
                case "-T" or "--threaded": threads = true; break;
                case "--perf-buffer": perf = true; break;
                case "-p" or "--pid" when i + 1 < args.Length && uint.TryParse(args[i + 1], out pid) && pid > 0: i++; break;
                case "-d" or "--duration" when i + 1 < args.Length:
                    duration = double.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "-h" or "--help": Console.WriteLine(Usage); return 0;
                default:
                    Console.Error.WriteLine($"exitsnoop: invalid argument '{args[i]}'\n\n{Usage}");
                    return 2;
            }
        }

        using var probes = ProbesSkeleton.Open();
        probes.Globals.TargetPid = pid;
        probes.Globals.TraceFailedOnly = failedOnly;
        probes.Globals.TraceThreads = threads;
        probes.Globals.UsePerfBuffer = perf;
        probes.Load();
        using var links = probes.AttachAll();
        using var reader = new EventReader();
        reader.Add<ExitEvent>(perf ? probes.Maps.PerfEvents : probes.Maps.Events, (in ExitEvent e) => Print(e, timestamps), pagesPerCpu: 16);

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        if (duration is { } seconds) stop.CancelAfter(TimeSpan.FromSeconds(seconds));
        if (timestamps) Console.Out.Write($"{"TIME(s)",-8} ");
        Console.Out.WriteLine($"{"PCOMM",-16} {"PID",-7} {"PPID",-7} {"TID",-7} {"AGE(s)",-7} {"EXIT_CODE"}");
        Console.Out.Flush();
        reader.Run(stop.Token);
        if (reader.LostCount > 0) Console.Error.WriteLine($"exitsnoop: lost {reader.LostCount} events");
        return 0;
    }

    private static void Print(in ExitEvent e, bool timestamps)
    {
        var line = new System.Text.StringBuilder(96);
        if (timestamps) line.Append($"{DateTime.Now:HH:mm:ss} ");
        var age = (e.ExitTime - e.StartTime) / 1e9;
        fixed (byte* comm = e.Comm)
            line.Append($"{CStrings.Decode(new ReadOnlySpan<byte>(comm, Probes.TaskCommLength)),-16} {e.Pid,-7} {e.Ppid,-7} {e.Tid,-7} {age.ToString("F2", CultureInfo.InvariantCulture),-7} ");
        if (e.Sig == 0)
        {
            line.Append(e.ExitCode == 0 ? "0" : $"code {e.ExitCode}");
        }
        else
        {
            var signal = (int)(e.Sig & 0x7f);
            if (signal != 0) line.Append($"signal {signal} ({Signals.Describe(signal)})");
            if ((e.Sig & 0x80) != 0) line.Append(", core dumped");
        }
        Console.Out.WriteLine(line);
        Console.Out.Flush();
    }
}
