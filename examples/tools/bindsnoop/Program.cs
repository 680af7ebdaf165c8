// bindsnoop: trace bind() of IPv4 and IPv6 sockets with libbpf-tools bindsnoop's options and columns. The BPF half
// (Probes.cs) is compiled by the build and embedded; this half sets the filters, loads, attaches and prints each bind.
using System.Net;
using System.Text;
using BpfSharp.Linux.RingBuffer;
using BpfSharp.Linux.Tools;

namespace BindSnoop;

internal static unsafe class Program
{
    private const string Usage = """
        Trace bind syscalls.

        USAGE: bindsnoop [-h] [-t] [-x] [-p PID] [-P ports] [-v]

        EXAMPLES:
            bindsnoop             # trace all bind syscall
            bindsnoop -t          # include timestamps
            bindsnoop -x          # include errors on output
            bindsnoop -p 1216     # only trace PID 1216
            bindsnoop -P 80,81    # only trace port 80 and 81

        Socket options are reported as:
          SOL_IP     IP_FREEBIND              F....
          SOL_IP     IP_TRANSPARENT           .T...
          SOL_IP     IP_BIND_ADDRESS_NO_PORT  ..N..
          SOL_SOCKET SO_REUSEADDR             ...R.
          SOL_SOCKET SO_REUSEPORT             ....r

        Traced at the syscall tracepoints (tp_btf/sys_enter, sys_exit), not with kprobes on inet_bind/inet6_bind; a failed
        bind shows the port and address it asked for.
        """;

    private static int Main(string[] args) => ToolMain.Run("bindsnoop", () => Run(args));

    private static int Run(string[] args)
    {
        bool timestamp = false, failed = false, verbose = false;
        uint pid = 0;
        var ports = new List<ushort>();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "-t" or "--timestamp": timestamp = true; break;
                case "-x" or "--failed": failed = true; break;
                case "-v" or "--verbose": verbose = true; break;
                case "-p" or "--pid" when uint.TryParse(value, out pid) && pid is > 0 and <= int.MaxValue: i++; break;
                case "-P" or "--ports" when ToolArguments.TryParseList(value, ports): i++; break;
                case "-h" or "--help": Console.WriteLine(Usage); return 0;
                default:
                    Console.Error.WriteLine($"bindsnoop: invalid argument '{args[i]}'\n\n{Usage}");
                    return 2;
            }
        }

        using var probes = ProbesSkeleton.Open();
        probes.Globals.TargetPid = pid;
        probes.Globals.IgnoreErrors = !failed;
        probes.Globals.FilterByPort = ports.Count > 0;
        probes.Load();
        foreach (var port in ports) probes.Maps.Ports.Update(port, port);
        using var links = probes.AttachAll();
        if (verbose) Console.Error.WriteLine("bindsnoop: attached tp_btf/sys_enter and tp_btf/sys_exit (bind)");

        using var reader = new EventReader();
        var line = new StringBuilder(160);
        reader.Add<BindEvent>(probes.Maps.BindEvents, (in BindEvent e) =>
        {
            line.Clear();
            if (timestamp) line.Append($"{DateTime.Now:HH:mm:ss} ");
            var proto = e.Proto switch { 6 => "TCP", 17 => "UDP", _ => "UNK" };
            Span<char> opts = ['F', 'T', 'N', 'R', 'r'];
            for (var i = 0; i < opts.Length; i++)
                if ((e.Opts & (1 << i)) == 0) opts[i] = '.';
            fixed (byte* comm = e.Comm)
            fixed (byte* addr = e.Addr)
            {
                var address = new IPAddress(new ReadOnlySpan<byte>(addr, e.Ver == 4 ? 4 : 16));
                line.Append($"{e.Pid,-7} {CStrings.Decode(new ReadOnlySpan<byte>(comm, Probes.TaskCommLength)),-16} {e.Ret,-3} {proto,-5} ");
                line.Append($"{opts.ToString(),-5} {e.BoundDevIf,-4} {e.Port,-5} {address,-48}");
            }
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        });

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        if (timestamp) Console.Out.Write($"{"TIME(s)",-8} ");
        Console.Out.WriteLine($"{"PID",-7} {"COMM",-16} {"RET",-3} {"PROTO",-5} {"OPTS",-5} {"IF",-4} {"PORT",-5} {"ADDR",-48}");
        Console.Out.Flush();
        reader.Run(stop.Token);
        return 0;
    }

}
