// BpfTrace: prints every exec on the machine (time, pid, parent, user, command, file), filtered in the kernel.
//   sudo dotnet run -- [--uid UID] [--ppid PID] [--duration SECONDS] [--count N]
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using BpfSharp;
using BpfSharp.Linux;
using BpfSharp.Linux.Loading;
using BpfSharp.Linux.RingBuffer;
using BpfTrace;

const string Tool = "BpfTrace";
uint? uid = null;
int? ppid = null;
double? duration = null;
long? count = null;
for (var i = 0; i < args.Length; i++)
{
    var hasValue = i + 1 < args.Length;
    switch (args[i])
    {
        case "--uid" when hasValue && uint.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var u): uid = u; i++; break;
        case "--ppid" when hasValue && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var p): ppid = p; i++; break;
        case "--duration" when hasValue && double.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var d): duration = d; i++; break;
        case "--count" when hasValue && long.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n): count = n; i++; break;
        case "-h" or "--help":
            Console.WriteLine($"usage: {Tool} [--uid UID] [--ppid PID] [--duration SECONDS] [--count N]");
            return 0;
        default:
            return Fail($"bad argument '{args[i]}' (see --help)", 2);
    }
}

// CO-RE needs the running kernel's BTF: say so plainly rather than fail deep inside the loader.
if (!File.Exists("/sys/kernel/btf/vmlinux"))
    return Fail("this kernel has no BTF (/sys/kernel/btf/vmlinux is missing; it needs CONFIG_DEBUG_INFO_BTF=y)");

try
{
    using var probes = ProbesSkeleton.Open();
    if (uid is { } u2) probes.Globals.TargetUid = u2;
    if (ppid is { } p2) probes.Globals.TargetPpid = p2;
    probes.Load();
    using var links = probes.AttachAll();
    using var reader = new RingBufferReader(probes.Maps.Events);

    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
    if (duration is { } seconds) stop.CancelAfter(TimeSpan.FromSeconds(seconds));

    Console.WriteLine($"{"TIME",-8} {"PID",-7} {"PPID",-7} {"UID",-6} {"COMM",-16} FILENAME");
    var printed = 0L;
    var line = new StringBuilder(256);
    while (!stop.IsCancellationRequested)
    {
        reader.Poll(100, record =>
        {
            if (count is { } max && printed >= max) return;
            var e = MemoryMarshal.Read<ExecEvent>(record);
            line.Clear();
            line.Append($"{DateTime.Now:HH:mm:ss} {e.Pid,-7} {e.Ppid,-7} {e.Uid,-6} ");
            unsafe
            {
                line.Append($"{CString(new ReadOnlySpan<byte>(e.Comm, 16)),-16} {CString(new ReadOnlySpan<byte>(e.Filename, Probes.FilenameLength))}");
            }
            Console.WriteLine(line);
            if (count is { } limit && ++printed >= limit) stop.Cancel();
        });
    }

    if (probes.Globals.Dropped > 0) Console.Error.WriteLine($"{Tool}: {probes.Globals.Dropped} events dropped (ring buffer full)");
    return 0;
}
catch (Exception e) when (BpfSyscallException.IsPermissionProblem(e))
{
    return Fail("loading BPF programs needs root, or CAP_BPF and CAP_PERFMON (try sudo)");
}
catch (Exception e) when (e is BpfSyscallException or BpfLoadException or BpfSharp.Linux.Links.BpfAttachException or BpfFormatException)
{
    return Fail(e.Message);
}

static string CString(ReadOnlySpan<byte> bytes)
{
    var end = bytes.IndexOf((byte)0);
    return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
}

static int Fail(string message, int code = 1)
{
    Console.Error.WriteLine($"{Tool}: {message}");
    return code;
}
