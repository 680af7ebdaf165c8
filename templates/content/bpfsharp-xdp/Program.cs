// BpfXdp: counts the packets and bytes arriving on a network interface, by protocol, with an XDP program.
//   sudo dotnet run -- INTERFACE [--interval SECONDS] [--duration SECONDS] [--skb]
using System.Globalization;
using BpfSharp;
using BpfSharp.Linux;
using BpfSharp.Linux.Links;
using BpfSharp.Linux.Loading;
using BpfXdp;

const string Tool = "BpfXdp";
string? device = null;
double interval = 1, duration = double.PositiveInfinity;
var mode = XdpAttachMode.Default;
for (var i = 0; i < args.Length; i++)
{
    var hasValue = i + 1 < args.Length;
    switch (args[i])
    {
        case "--interval" when hasValue && double.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var s) && s > 0: interval = s; i++; break;
        case "--duration" when hasValue && double.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var d) && d >= 0: duration = d; i++; break;
        case "--skb": mode = XdpAttachMode.Generic; break;
        case "-h" or "--help":
            Console.WriteLine($"usage: {Tool} INTERFACE [--interval SECONDS] [--duration SECONDS] [--skb]");
            return 0;
        case var name when !name.StartsWith('-') && device is null: device = name; break;
        default:
            return Fail($"bad argument '{args[i]}' (see --help)", 2);
    }
}

if (device is null) return Fail("which interface? (usage: " + Tool + " INTERFACE)", 2);

int ifindex;
try
{
    ifindex = NetworkInterfaces.IndexOf(device);
}
catch (BpfAttachException)
{
    return Fail($"there is no network interface '{device}'");
}

try
{
    using var probes = ProbesSkeleton.OpenAndLoad();
    using var link = XdpLink.Attach(probes.Programs.CountPackets, ifindex, mode);
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
    if (!double.IsPositiveInfinity(duration)) stop.CancelAfter(TimeSpan.FromSeconds(duration));

    Console.WriteLine($"counting packets on {device} (ifindex {ifindex}); Ctrl-C to stop");
    string[] names = ["IPv4", "IPv6", "ARP", "other"];
    do
    {
        stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(Math.Min(interval, duration)));
        var line = $"{DateTime.Now:HH:mm:ss}";
        for (var slot = 0u; slot < names.Length; slot++)
        {
            ulong packets = 0, bytes = 0;
            foreach (var c in probes.Maps.Counters.LookupPerCpu(slot) ?? [])
            {
                packets += c.Packets;
                bytes += c.Bytes;
            }
            line += $"  {names[slot]} {packets} pkts {bytes} B";
        }
        Console.WriteLine(line);
    }
    while (!stop.IsCancellationRequested);
    return 0;
}
catch (Exception e) when (BpfSyscallException.IsPermissionProblem(e))
{
    return Fail("loading and attaching XDP programs needs root, or CAP_BPF and CAP_NET_ADMIN (try sudo)");
}
catch (Exception e) when (e is BpfSyscallException or BpfLoadException or BpfAttachException or BpfFormatException)
{
    return Fail(e.Message);
}

static int Fail(string message, int code = 1)
{
    Console.Error.WriteLine($"{Tool}: {message}");
    return code;
}
