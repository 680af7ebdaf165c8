// capable: trace security capability checks with libbpf-tools capable's options and columns. The BPF half
// (Probes.cs) is compiled by the build and embedded; this half picks the attach point (kprobe + kretprobe on
// cap_capable as bcc, else the capability/cap_capable tracepoint), loads only those programs and prints each check.
using System.Text;
using BpfSharp.Linux.RingBuffer;
using BpfSharp.Linux.Tools;

namespace Capable;

internal static unsafe class Program
{
    private const string Usage = """
        Trace security capability checks (cap_capable()).

        USAGE: capable [-h] [-v] [-p PID] [-x] [-u TYPE] [--kprobe | --tracepoint]

        EXAMPLES:
            capable                  # Trace capability checks
            capable -p 185           # Trace this PID only
            capable -x               # Extra fields: show TID and INSETID columns
            capable -u TYPE          # Print unique output for TYPE=[pid | cgroup] (default:off)
            capable --kprobe         # Only with kprobes on cap_capable (AUDIT and INSETID known)
            capable --tracepoint     # Only with the capability/cap_capable tracepoint (AUDIT and INSETID are -)
        """;

    // include/uapi/linux/capability.h
    private static readonly string[] CapabilityNames =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
        "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
        "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    private const string KprobePmu = "/sys/bus/event_source/devices/kprobe";

    private static int Main(string[] args) => ToolMain.Run("capable", () => Run(args));

    private static int Run(string[] args)
    {
        bool verbose = false, extra = false, forceKprobe = false, forceTracepoint = false;
        uint pid = 0, unique = Probes.UniqueOff;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "-v" or "--verbose": verbose = true; break;
                case "-x" or "--extra-fields": extra = true; break;
                case "--kprobe" when !forceTracepoint: forceKprobe = true; break;
                case "--tracepoint" when !forceKprobe: forceTracepoint = true; break;
                case "-p" or "--pid" when uint.TryParse(value, out pid) && pid is > 0 and <= int.MaxValue: i++; break;
                case "-u" or "--unique" when value is "pid" or "cgroup":
                    unique = value == "pid" ? Probes.UniquePid : Probes.UniqueCgroup;
                    i++;
                    break;
                case "-h" or "--help": Console.WriteLine(Usage); return 0;
                default:
                    Console.Error.WriteLine($"capable: invalid argument '{args[i]}'\n\n{Usage}");
                    return 2;
            }
        }

        // bcc's choice first (the kprobes see the audit and in-setid options), the tracepoint when there are no kprobes.
        var kprobes = Directory.Exists(KprobePmu) && TracingProbes.KernelFunctionExists("cap_capable");
        var tracepoint = TracingProbes.RawTracepointExists("cap_capable");
        bool useKprobes;
        string? note = null;
        if (forceKprobe) useKprobes = true;
        else if (forceTracepoint)
        {
            if (!tracepoint) return Fail("this kernel has no capability/cap_capable tracepoint");
            useKprobes = false;
        }
        else if (kprobes) useKprobes = true;
        else if (tracepoint)
        {
            useKprobes = false;
            note = "capable: no kprobes on this kernel (no kprobe PMU); tracing the capability/cap_capable tracepoint instead: AUDIT and INSETID are not known (-)";
        }
        else return Fail("cap_capable can't be traced: no kprobe PMU (CONFIG_KPROBE_EVENTS) and no capability/cap_capable tracepoint");
        if (verbose) Console.Error.WriteLine($"capable: attaching {(useKprobes ? "kprobe/cap_capable and kretprobe/cap_capable" : "tp_btf/cap_capable")}");

        using var probes = ProbesSkeleton.Open();
        probes.Object.SetAutoload(nameof(Probes.KprobeCapCapable), useKprobes);
        probes.Object.SetAutoload(nameof(Probes.KretprobeCapCapable), useKprobes);
        probes.Object.SetAutoload(nameof(Probes.TracepointCapCapable), !useKprobes);
        probes.Globals.MyPid = (uint)Environment.ProcessId;
        probes.Globals.TargetPid = pid;
        probes.Globals.UniqueType = unique;
        probes.Load();
        if (useKprobes && !Directory.Exists(KprobePmu))
            return Fail($"kprobes are not available on this kernel ({KprobePmu} is missing: CONFIG_KPROBE_EVENTS); try --tracepoint");
        using var links = probes.AttachAll();
        // Said once the tracepoint is attached, so that a run that fails (no privileges) still prints one line.
        if (note is not null) Console.Error.WriteLine(note);

        using var reader = new EventReader();
        var line = new StringBuilder(128);
        reader.Add<CapEvent>(probes.Maps.CapEvents, (in CapEvent e) =>
        {
            string comm;
            fixed (byte* bytes = e.Comm) comm = CStrings.Decode(new ReadOnlySpan<byte>(bytes, Probes.TaskCommLength));
            var name = e.Cap < CapabilityNames.Length ? CapabilityNames[e.Cap] : "CAP_UNKNOWN";
            var audit = e.Audit < 0 ? "-" : e.Audit.ToString();
            var verdict = e.Ret == 0 ? "allow" : "deny";
            line.Clear();
            line.Append($"{DateTime.Now:HH:mm:ss} {e.Uid,-5} {e.Pid,-7} ");
            if (extra) line.Append($"{e.Tid,-7} ");
            line.Append($"{comm,-16} {e.Cap,-7} {name,-20} {audit,-7} {verdict,-7}");
            if (extra) line.Append($" {(e.InSetId < 0 ? "-" : e.InSetId.ToString()),-7}");
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        });

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        if (extra)
            Console.Out.WriteLine($"{"TIME",-8} {"UID",-5} {"PID",-7} {"TID",-7} {"COMM",-16} {"CAP",-7} {"NAME",-20} {"AUDIT",-7} {"VERDICT",-7} {"INSETID",-7}");
        else
            Console.Out.WriteLine($"{"TIME",-8} {"UID",-5} {"PID",-7} {"COMM",-16} {"CAP",-7} {"NAME",-20} {"AUDIT",-7} {"VERDICT",-7}");
        Console.Out.Flush();
        reader.Run(stop.Token);
        return 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"capable: {message}");
        return 1;
    }
}
