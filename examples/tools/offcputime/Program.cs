// offcputime: summarize off-CPU time by stack trace, with libbpf-tools offcputime's options and output. The BPF
// half (Probes.cs) adds up the time each kernel + user stack pair spent switched out; this half waits, then prints
// every stack with its total (microseconds), kernel frames named from /proc/kallsyms and user frames from the
// process's mapped ELF files.
using System.Runtime.InteropServices;
using BpfSharp.Linux.Symbols;
using BpfSharp.Linux.Tools;

namespace OffCpuTime;

internal static unsafe class Program
{
    private const string Usage = """
        Summarize off-CPU time by stack trace.

        USAGE: offcputime [--help] [-p PID | -u | -k] [-m MIN-BLOCK-TIME] [-M MAX-BLOCK-TIME] [--state] [--perf-max-stack-depth] [--stack-storage-size] [duration]
        EXAMPLES:
            offcputime             # trace off-CPU stack time until Ctrl-C
            offcputime 5           # trace for 5 seconds only
            offcputime -m 1000     # trace only events that last more than 1000 usec
            offcputime -M 10000    # trace only events that last less than 10000 usec
            offcputime -p 185      # only trace threads for PID 185
            offcputime -t 188      # only trace thread 188
            offcputime -u          # only trace user threads (no kernel)
            offcputime -k          # only trace kernel threads (no user)
        """;

    private static int Main(string[] args) => ToolMain.Run("offcputime", () => Run(args));

    private static int Run(string[] args)
    {
        uint pid = 0, tid = 0;
        bool userThreadsOnly = false, kernelThreadsOnly = false;
        int storage = 1024, depth = 127, duration = 99999999;
        ulong minBlock = 1, maxBlock = ulong.MaxValue;
        long state = -1;
        var positional = 0;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "-p" or "--pid" when uint.TryParse(value, out pid) && pid > 0: i++; break;
                case "-t" or "--tid" when uint.TryParse(value, out tid) && tid > 0: i++; break;
                case "-u" or "--user-threads-only": userThreadsOnly = true; break;
                case "-k" or "--kernel-threads-only": kernelThreadsOnly = true; break;
                case "-m" or "--min-block-time" when ulong.TryParse(value, out minBlock): i++; break;
                case "-M" or "--max-block-time" when ulong.TryParse(value, out maxBlock): i++; break;
                case "--state" when long.TryParse(value, out state) && state is >= 0 and <= 2: i++; break;
                case "--stack-storage-size" when int.TryParse(value, out storage) && storage > 0: i++; break;
                case "--perf-max-stack-depth" when int.TryParse(value, out depth) && depth is > 0 and <= 127: i++; break;
                case "-h" or "--help": Console.WriteLine(Usage); return 0;
                default:
                    if (positional++ == 0 && int.TryParse(args[i], out duration) && duration > 0) break;
                    Console.Error.WriteLine($"offcputime: invalid argument '{args[i]}'\n\n{Usage}");
                    return 2;
            }
        }
        if (userThreadsOnly && kernelThreadsOnly)
        {
            Console.Error.WriteLine("offcputime: user_threads_only and kernel_threads_only cannot be used together.");
            return 2;
        }
        if (minBlock >= maxBlock)
        {
            Console.Error.WriteLine("offcputime: min_block_time should be smaller than max_block_time");
            return 2;
        }

        using var probes = ProbesSkeleton.Open();
        probes.Globals.TargetTgid = pid;
        probes.Globals.TargetPid = tid;
        probes.Globals.UserThreadsOnly = userThreadsOnly;
        probes.Globals.KernelThreadsOnly = kernelThreadsOnly;
        probes.Globals.State = state;
        probes.Globals.MinBlockUs = minBlock;
        probes.Globals.MaxBlockUs = maxBlock;
        probes.Object.SetValueSize(nameof(Probes.Stacks), (uint)(depth * sizeof(ulong)));
        probes.MaxEntries.Stacks = (uint)storage;
        probes.Load();
        var kernelSymbols = KernelSymbolTable.Load();
        using var links = probes.AttachAll();

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        // libbpf-tools prints nothing until the end; this line (bcc's Python tool's) says the probes are attached.
        var who = pid != 0 ? $"PID {pid}" : tid != 0 ? $"TID {tid}" : userThreadsOnly ? "user threads" : kernelThreadsOnly ? "kernel threads" : "all threads";
        Console.Out.WriteLine($"Tracing off-CPU time (us) of {who} by user + kernel stack" +
            (duration < 99999999 ? $" for {duration} secs." : "... Hit Ctrl-C to end."));
        Console.Out.Flush();
        stop.Token.WaitHandle.WaitOne(duration >= int.MaxValue / 1000 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(duration));

        var frames = new ulong[depth];
        var files = new SymbolFileCache();
        var processes = new Dictionary<uint, ProcessSymbols?>();
        var stacks = probes.Maps.Stacks;
        var output = new System.Text.StringBuilder();
        foreach (var key in probes.Maps.Info.Keys.ToList())
        {
            if (!probes.Maps.Info.TryLookup(key, out var value) || value.Delta == 0) continue;
            output.Clear();
            if (!Lookup(stacks, key.KernelStackId, frames)) Console.Error.WriteLine("    [Missed Kernel Stack]");
            else
                for (var i = 0; i < frames.Length && frames[i] != 0; i++)
                    output.Append("    ").Append(kernelSymbols.TryResolve(frames[i], out var k) ? k.Symbol.Name : "unknown").Append('\n');

            if (key.UserStackId != -1)
            {
                if (!Lookup(stacks, key.UserStackId, frames))
                {
                    Console.Out.Write(output);
                    Console.Error.WriteLine("    [Missed User Stack]");
                    continue;
                }
                if (!processes.TryGetValue(key.Tgid, out var symbols))
                    processes[key.Tgid] = symbols = TryLoadSymbols((int)key.Tgid, files);
                if (symbols is null) Console.Error.WriteLine("failed to get syms");
                else
                    for (var i = 0; i < frames.Length && frames[i] != 0; i++)
                        output.Append("    ").Append(symbols.TryResolve(frames[i], out var u) && u.Name is not null ? u.Name : "[unknown]").Append('\n');
            }
            output.Append($"    {"-",-16} {CommOf(value)} ({key.Pid})\n");
            output.Append($"        {value.Delta}\n\n");
            Console.Out.Write(output);
        }
        Console.Out.Flush();
        return 0;
    }

    private static string CommOf(StackValue value) => CStrings.Decode(new ReadOnlySpan<byte>(value.Comm, Probes.TaskCommLength));

    private static ProcessSymbols? TryLoadSymbols(int pid, SymbolFileCache files)
    {
        try { return ProcessSymbols.Load(pid, files); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static bool Lookup(BpfSharp.Linux.BpfMap stacks, int stackId, ulong[] frames)
    {
        Array.Clear(frames);
        if (stackId < 0) return false;
        var key = stackId;
        return stacks.TryLookup(MemoryMarshal.AsBytes(new ReadOnlySpan<int>(in key)), MemoryMarshal.AsBytes(frames.AsSpan()));
    }
}
