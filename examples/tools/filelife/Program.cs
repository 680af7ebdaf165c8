// filelife: trace the lifespan of short-lived files, with libbpf-tools filelife's options and output. The BPF half
// (Probes.cs) sends one record when a file it saw created is deleted; this half prints it as bcc does (the file's
// name, not its directory, as bcc prints the dentry's name).
using BpfSharp.Linux.RingBuffer;
using BpfSharp.Linux.Tools;

namespace FileLife;

internal static unsafe class Program
{
    private const string Usage = """
        Trace the lifespan of short-lived files.

        USAGE: filelife  [--help] [-p PID]

        EXAMPLES:
            filelife         # trace all events
            filelife -p 123  # trace pid 123
        """;

    private static int Main(string[] args) => ToolMain.Run("filelife", () => Run(args));

    private static int Run(string[] args)
    {
        uint pid = 0;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "-p" or "--pid" when uint.TryParse(value, out pid) && pid > 0: i++; break;
                case "-h" or "--help": Console.WriteLine(Usage); return 0;
                default:
                    Console.Error.WriteLine($"filelife: invalid argument '{args[i]}'\n\n{Usage}");
                    return 2;
            }
        }

        using var probes = ProbesSkeleton.Open();
        probes.Globals.TargetTgid = pid;
        probes.Load();
        using var links = probes.AttachAll();
        using var reader = new EventReader();
        reader.Add<FileEvent>(probes.Maps.Events, (in FileEvent e) =>
        {
            string file, task;
            fixed (byte* fileBytes = e.File)
            fixed (byte* taskBytes = e.Task)
            {
                file = CStrings.Decode(new ReadOnlySpan<byte>(fileBytes, Probes.PathMax));
                task = CStrings.Decode(new ReadOnlySpan<byte>(taskBytes, Probes.TaskCommLength));
            }
            var age = (e.DeltaNs / 1e9).ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
            Console.Out.WriteLine($"{DateTime.Now:HH:mm:ss} {e.Tgid,-6} {task,-16} {age,-7} {Path.GetFileName(file)}");
            Console.Out.Flush();
        });

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.Out.WriteLine("Tracing the lifespan of short-lived files ... Hit Ctrl-C to end.");
        Console.Out.WriteLine("(variant without kprobes: creat/open/openat with O_CREAT and unlink/unlinkat, matched by path, from tp_btf/sys_enter and sys_exit)");
        Console.Out.WriteLine($"{"TIME",-8} {"PID",-6} {"COMM",-16} {"AGE(s)",-7} FILE");
        Console.Out.Flush();
        reader.Run(stop.Token);
        return 0;
    }
}
