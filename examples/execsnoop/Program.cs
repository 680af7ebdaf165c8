// execsnoop: trace exec() system-wide and print one line per call, with bcc execsnoop's columns.
// Both halves are C#: the build compiles the BPF programs in Probes.cs and embeds the object in this assembly;
// this half loads them through the generated ProbesSkeleton, attaches both programs and reads the ring buffer
// until Ctrl-C, --duration or --count.
using System.Runtime.InteropServices;
using System.Text;
using BpfSharp.Linux.RingBuffer;

namespace ExecSnoop;

internal static unsafe class Program
{
    private static int Main(string[] args)
    {
        double? duration = null;
        long? maxEvents = null;
        var showTimestamp = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--duration" or "-d" when i + 1 < args.Length:
                    duration = double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "--count" or "-n" when i + 1 < args.Length:
                    maxEvents = long.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "--timestamp" or "-T":
                    showTimestamp = true;
                    break;
                case "--help" or "-h":
                    Console.WriteLine("usage: execsnoop [--duration SECONDS] [--count N] [--timestamp]");
                    return 0;
                default:
                    Console.Error.WriteLine($"execsnoop: unknown argument '{args[i]}' (see --help)");
                    return 2;
            }
        }

        // The build compiled Probes.cs to BPF and embedded the object in this assembly; ProbesSkeleton is generated.
        using var probes = ProbesSkeleton.OpenAndLoad();
        using var links = probes.AttachAll();
        using var reader = new RingBufferReader(probes.Maps.Events);
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        if (duration is { } seconds) stop.CancelAfter(TimeSpan.FromSeconds(seconds));

        var output = new StringBuilder(256);
        var printed = 0L;
        var start = DateTime.Now;
        if (showTimestamp) Console.Out.Write($"{"TIME(s)",-8} ");
        Console.Out.WriteLine($"{"PCOMM",-16} {"PID",-7} {"PPID",-7} {"RET",3} ARGS");
        Console.Out.Flush();
        RingBufferRecordHandler print = record =>
        {
            if (maxEvents is { } max && printed >= max) return;
            var e = MemoryMarshal.Read<ExecEvent>(record);
            var comm = new ReadOnlySpan<byte>(e.Comm, Probes.TaskCommLength);
            var argsSpan = new ReadOnlySpan<byte>(e.Args, (int)Math.Min(e.ArgsSize, (uint)Probes.ArgsSize));
            output.Clear();
            if (showTimestamp) output.Append($"{(DateTime.Now - start).TotalSeconds,-8:F3} ");
            output.Append($"{CString(comm),-16} {e.Pid,-7} {e.Ppid,-7} {e.Ret,3} ");
            AppendArgs(output, argsSpan);
            Console.Out.WriteLine(output);
            Console.Out.Flush();
            printed++;
            if (maxEvents is { } limit && printed >= limit) stop.Cancel();
        };
        while (!stop.IsCancellationRequested) reader.Poll(100, print);
        var dropped = probes.Globals.Dropped;
        if (dropped > 0) Console.Error.WriteLine($"execsnoop: {dropped} events dropped (ring buffer full)");
        return 0;
    }

    private static string CString(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }

    /// <summary>argv strings are NUL-separated; bcc joins them with spaces.</summary>
    private static void AppendArgs(StringBuilder output, ReadOnlySpan<byte> args)
    {
        var first = true;
        while (!args.IsEmpty)
        {
            var end = args.IndexOf((byte)0);
            var arg = end < 0 ? args : args[..end];
            if (!first) output.Append(' ');
            output.Append(Encoding.UTF8.GetString(arg));
            first = false;
            args = end < 0 ? default : args[(end + 1)..];
        }
    }
}
