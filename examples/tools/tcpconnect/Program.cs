// tcpconnect: trace active TCP connections (connect()) with libbpf-tools tcpconnect's options and columns, plus bcc's
// -4/-6. The BPF half (Probes.cs) is compiled by the build and embedded; this half sets the filters, loads,
// attaches and prints each attempt, or with -c the counts per address pair and port when interrupted.
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;
using BpfSharp.Linux.RingBuffer;
using BpfSharp.Linux.Tools;

namespace TcpConnect;

internal static unsafe class Program
{
    private const string Usage = """
        Count/Trace active tcp connections

        USAGE: tcpconnect [-h] [-t] [-p PID] [-U] [-u UID] [-c] [-P PORTS] [-4 | -6]

        EXAMPLES:
            tcpconnect             # trace all TCP connect()s
            tcpconnect -t          # include timestamps
            tcpconnect -p 181      # only trace PID 181
            tcpconnect -P 80       # only trace port 80
            tcpconnect -P 80,81    # only trace port 80 and 81
            tcpconnect -U          # include UID
            tcpconnect -u 1000     # only trace UID 1000
            tcpconnect -c          # count connects per src, dest, port
            tcpconnect -4          # only trace IPv4 family
            tcpconnect -6          # only trace IPv6 family

        Traced at the sock/inet_sock_set_state tracepoint (SYN_SENT), not with kprobes on tcp_v4_connect/tcp_v6_connect.
        """;

    private static int Main(string[] args) => ToolMain.Run("tcpconnect", () => Run(args));

    private static int Run(string[] args)
    {
        bool timestamp = false, printUid = false, count = false;
        uint pid = 0, uid = uint.MaxValue;
        ushort family = 0;
        var ports = new List<ushort>();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "-t" or "--timestamp": timestamp = true; break;
                case "-U" or "--print-uid": printUid = true; break;
                case "-c" or "--count": count = true; break;
                case "-4" or "--ipv4" when family == 0: family = Probes.AfInet; break;
                case "-6" or "--ipv6" when family == 0: family = Probes.AfInet6; break;
                case "-p" or "--pid" when uint.TryParse(value, out pid) && pid is > 0 and <= int.MaxValue: i++; break;
                case "-u" or "--uid" when uint.TryParse(value, out uid) && uid < uint.MaxValue: i++; break;
                case "-P" or "--port" when ToolArguments.TryParseList(value, ports): i++; break;
                case "-h" or "--help": Console.WriteLine(Usage); return 0;
                default:
                    Console.Error.WriteLine($"tcpconnect: invalid argument '{args[i]}'\n\n{Usage}");
                    return 2;
            }
        }

        using var probes = ProbesSkeleton.Open();
        probes.Globals.TargetPid = pid;
        probes.Globals.TargetUid = uid;
        probes.Globals.TargetFamily = family;
        probes.Globals.FilterPorts = ports.Count > 0;
        probes.Globals.DoCount = count;
        probes.Load();
        foreach (var port in ports) probes.Maps.Ports.Update(BinaryPrimitives.ReverseEndianness(port), 1);
        using var links = probes.AttachAll();

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        if (count)
        {
            Console.Out.WriteLine("Tracing connect ... Hit Ctrl-C to end");
            Console.Out.Flush();
            stop.Token.WaitHandle.WaitOne();
            PrintCounts(probes);
            return 0;
        }

        using var reader = new EventReader();
        ulong firstTimestamp = 0;
        var line = new StringBuilder(128);
        reader.Add<ConnectEvent>(probes.Maps.ConnectEvents, (in ConnectEvent e) =>
        {
            line.Clear();
            if (timestamp)
            {
                if (firstTimestamp == 0) firstTimestamp = e.TimestampUs;
                line.Append(((e.TimestampUs - firstTimestamp) / 1000000.0).ToString("F3", CultureInfo.InvariantCulture).PadRight(9));
            }
            if (printUid) line.Append($"{e.Uid,-6}");
            fixed (byte* comm = e.Comm)
            fixed (byte* saddr = e.Saddr)
            fixed (byte* daddr = e.Daddr)
            {
                var name = CStrings.Decode(new ReadOnlySpan<byte>(comm, Probes.TaskCommLength));
                if (name.Length > 12) name = name[..12];
                line.Append($"{e.Pid,-6} {name,-12} {(e.Family == Probes.AfInet ? 4 : 6),-2} ");
                line.Append($"{Address(e.Family, saddr),-16} {Address(e.Family, daddr),-16}");
            }
            line.Append($" {BinaryPrimitives.ReverseEndianness(e.Dport),-5}");
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        });

        if (timestamp) Console.Out.Write($"{"TIME(s)",-9}");
        if (printUid) Console.Out.Write($"{"UID",-6}");
        Console.Out.WriteLine($"{"PID",-6} {"COMM",-12} {"IP",-2} {"SADDR",-16} {"DADDR",-16} {"DPORT",-5}");
        Console.Out.Flush();
        reader.Run(stop.Token);
        return 0;
    }


    private static string Address(ushort family, byte* bytes) =>
        new IPAddress(new ReadOnlySpan<byte>(bytes, family == Probes.AfInet ? 4 : 16)).ToString();

    private static void PrintCounts(ProbesSkeleton probes)
    {
        Console.Out.WriteLine();
        Console.Out.WriteLine($"{"LADDR",-25} {"RADDR",-25} {"RPORT",-20} {"CONNECTS",-10}");
        foreach (var (key, connects) in probes.Maps.Ipv4Counts.Entries)
        {
            var k = key;
            Console.Out.WriteLine($"{Address(Probes.AfInet, (byte*)&k.Saddr),-25} {Address(Probes.AfInet, (byte*)&k.Daddr),-25} " +
                                  $"{BinaryPrimitives.ReverseEndianness(k.Dport),-20} {connects,-10}");
        }
        foreach (var (key, connects) in probes.Maps.Ipv6Counts.Entries)
        {
            var k = key;
            Console.Out.WriteLine($"{Address(Probes.AfInet6, k.Saddr),-25} {Address(Probes.AfInet6, k.Daddr),-25} " +
                                  $"{BinaryPrimitives.ReverseEndianness(k.Dport),-20} {connects,-10}");
        }
        Console.Out.Flush();
    }
}
