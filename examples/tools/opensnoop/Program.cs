// opensnoop: trace open()/openat() with libbpf-tools opensnoop's options and columns. The BPF half (Probes.cs) is
// compiled by the build and embedded; this half sets the filters, loads, attaches and prints each call.
using System.Globalization;
using System.Text;
using BpfSharp.Linux.RingBuffer;
using BpfSharp.Linux.Tools;

namespace OpenSnoop;

internal static unsafe class Program
{
    private const string Usage = """
        Trace open family syscalls

        USAGE: opensnoop [-h] [-T] [-U] [-x] [-p PID] [-t TID] [-u UID] [-d DURATION] [-n NAME] [-e]

        EXAMPLES:
            ./opensnoop           # trace all open() syscalls
            ./opensnoop -T        # include timestamps
            ./opensnoop -U        # include UID
            ./opensnoop -x        # only show failed opens
            ./opensnoop -p 181    # only trace PID 181
            ./opensnoop -t 123    # only trace TID 123
            ./opensnoop -u 1000   # only trace UID 1000
            ./opensnoop -d 10     # trace for 10 seconds only
            ./opensnoop -n main   # only print process names containing "main"
            ./opensnoop -e        # show extended fields
        """;

    // A tool prints one line for what went wrong (no privileges, a kernel without BTF...), never a stack trace.
    private static int Main(string[] args) => ToolMain.Run("opensnoop", () => Run(args));

    private static int Run(string[] args)
    {
        bool timestamp = false, printUid = false, failed = false, extended = false;
        uint pid = 0, tid = 0, uid = uint.MaxValue;
        int duration = 0;
        string? name = null;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "-T" or "--timestamp": timestamp = true; break;
                case "-U" or "--print-uid": printUid = true; break;
                case "-x" or "--failed": failed = true; break;
                case "-e" or "--extended-fields": extended = true; break;
                case "-p" or "--pid" when uint.TryParse(value, out pid) && pid > 0: i++; break;
                case "-t" or "--tid" when uint.TryParse(value, out tid) && tid > 0: i++; break;
                case "-u" or "--uid" when uint.TryParse(value, out uid) && uid < uint.MaxValue: i++; break;
                case "-d" or "--duration" when int.TryParse(value, out duration) && duration > 0: i++; break;
                case "-n" or "--name" when value is not null: name = value; i++; break;
                case "-h" or "--help": Console.WriteLine(Usage); return 0;
                default:
                    Console.Error.WriteLine($"opensnoop: invalid argument '{args[i]}'\n\n{Usage}");
                    return 2;
            }
        }

        using var probes = ProbesSkeleton.Open();
        probes.Globals.TargetPid = pid;
        probes.Globals.TargetTid = tid;
        probes.Globals.TargetUid = uid;
        probes.Globals.TargetFailed = failed;
        probes.Load();
        using var links = probes.AttachAll();
        using var reader = new EventReader();
        var start = DateTime.UtcNow;
        var line = new StringBuilder(320);
        reader.Add<OpenEvent>(probes.Maps.Events, (in OpenEvent e) =>
        {
            fixed (byte* commBytes = e.Comm)
            fixed (byte* fnameBytes = e.Fname)
            {
                var comm = CStrings.Decode(new ReadOnlySpan<byte>(commBytes, Probes.TaskCommLength));
                if (name is not null && !comm.Contains(name, StringComparison.Ordinal)) return;
                var fd = e.Ret >= 0 ? e.Ret : -1;
                var err = e.Ret >= 0 ? 0 : -e.Ret;
                line.Clear();
                if (timestamp) line.Append($"{DateTime.Now:HH:mm:ss} ");
                if (printUid) line.Append($"{e.Uid,-7} ");
                line.Append($"{e.Pid,-6} {comm,-16} {fd,3} {err,3} ");
                if (extended) line.Append(Convert.ToString(e.Flags, 8).PadLeft(8, '0')).Append(' ');
                line.Append(CStrings.Decode(new ReadOnlySpan<byte>(fnameBytes, Probes.NameMax)));
            }
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        });

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        if (duration > 0) stop.CancelAfter(TimeSpan.FromSeconds(duration));
        if (timestamp) Console.Out.Write($"{"TIME",-8} ");
        if (printUid) Console.Out.Write($"{"UID",-7} ");
        Console.Out.Write($"{"PID",-6} {"COMM",-16} {"FD",3} {"ERR",3} ");
        if (extended) Console.Out.Write($"{"FLAGS",-8} ");
        Console.Out.WriteLine("PATH");
        Console.Out.Flush();
        reader.Run(stop.Token);
        return 0;
    }
}
