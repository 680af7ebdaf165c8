using System.Runtime.InteropServices;
using BpfSharp.Cli.Output;
using BpfSharp.Linux.Links;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// <c>prog tracelog</c>: streams the kernel's trace pipe (what <c>bpf_printk</c> writes) until Ctrl-C or SIGTERM,
/// mounting tracefs first when it is not mounted, like <c>bpftool prog tracelog</c>. Under <c>-j</c> each line is
/// a string of one JSON array, closed on exit.
/// </summary>
internal static class ProgTracelogCommand
{
    public static void AddTo(System.CommandLine.Command prog)
    {
        prog.Subcommands.Add(MapCommand.Verb("tracelog", "Stream the kernel trace pipe (bpf_printk output) until interrupted.", "", Run));
    }

    private static int Run(IReadOnlyList<string> words, System.CommandLine.ParseResult result)
    {
        if (words.Count != 0) throw new CliException($"bad argument: '{words[0]}'");
        var output = new BpftoolOutput(result);
        string root;
        try
        {
            root = Tracefs.EnsureMounted(out var mounted);
            if (mounted) Console.Error.WriteLine($"mounted tracefs at {root}");
        }
        catch (IOException e)
        {
            throw new CliException(e.Message);
        }
        var pipe = Path.Combine(root, "trace_pipe");
        var gate = new Lock();
        var stopped = false;
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            lock (gate)
            {
                if (stopped) return;
                stopped = true;
                if (output.IsJson) output.Json.EndArray();
                output.Finish();
            }
            // The reader is blocked in read(2) on the pipe; ending the process is the clean way out, as bpftool does.
            Environment.Exit(0);
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        if (output.IsJson)
        {
            output.Json.StartArray();
            output.Flush();
        }
        try
        {
            using var reader = new StreamReader(new FileStream(pipe, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None));
            while (reader.ReadLine() is { } line)
            {
                lock (gate)
                {
                    if (stopped) break;
                    if (output.IsJson) output.Json.String(line + "\n");
                    else output.Text.Append(line).Append('\n');
                    output.Flush();
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"failed to open trace pipe {pipe}: {e.Message}");
        }
        lock (gate)
        {
            if (!stopped && output.IsJson) output.Json.EndArray();
            stopped = true;
            output.Finish();
        }
        return 0;
    }
}
