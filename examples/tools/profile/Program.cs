// profile: profile CPU usage by sampling stack traces at a timed interval, with libbpf-tools profile's options
// and output (bcc's multi-line stacks, or -f folded lines for flame graphs). The BPF half (Probes.cs) counts
// stack pairs per process; this half opens the cpu-clock event on every CPU, waits, and prints the counts with
// the kernel frames named from /proc/kallsyms and the user frames from the process's mapped ELF files.
using System.Runtime.InteropServices;
using BpfSharp.Linux.Links;
using BpfSharp.Linux.Symbols;
using BpfSharp.Linux.Tools;

namespace Profile;

internal static unsafe class Program
{
    private const string Usage = """
        Profile CPU usage by sampling stack traces at a timed interval.

        USAGE: profile [OPTIONS...] [duration]
        EXAMPLES:
            profile             # profile stack traces at 49 Hertz until Ctrl-C
            profile -F 99       # profile stack traces at 99 Hertz
            profile 5           # profile at 49 Hertz for 5 seconds only
            profile -f          # output in folded format for flame graphs
            profile -p 185      # only profile process with PID 185
            profile -L 185      # only profile thread with TID 185
            profile -U          # only show user space stacks (no kernel)
            profile -K          # only show kernel space stacks (no user)

        OPTIONS: -p PID[,PID] -L TID[,TID] -U -K -F FREQUENCY -d (delimit kernel/user stacks) -I (include idle)
                 -f (folded) -C CPU --stack-storage-size N --perf-max-stack-depth N
        """;

    private const int EFault = 14;
    private const int EExist = 17;

    private sealed class Options
    {
        public List<uint> Pids = [];
        public List<uint> Tids = [];
        public bool UserStacksOnly, KernelStacksOnly, Delimiter, IncludeIdle, Folded;
        public int StackStorageSize = 1024, PerfMaxStackDepth = 127, SampleFrequency = 49, Cpu = -1;
        public int Duration = int.MaxValue;
    }

    private static int Main(string[] args) => ToolMain.Run("profile", () => Run(args));

    private static int Run(string[] args)
    {
        var o = new Options();
        var positional = 0;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var value = i + 1 < args.Length ? args[i + 1] : null;
            bool Number(out int n) => int.TryParse(value, out n) && n > 0;
            switch (arg)
            {
                case "-p" or "--pid" when ToolArguments.TryParseList(value, o.Pids): i++; continue;
                case "-L" or "--tid" when ToolArguments.TryParseList(value, o.Tids): i++; continue;
                case "-F" or "--frequency" when Number(out o.SampleFrequency): i++; continue;
                case "-C" or "--cpu" when int.TryParse(value, out o.Cpu) && o.Cpu >= 0: i++; continue;
                case "--stack-storage-size" when Number(out o.StackStorageSize): i++; continue;
                case "--perf-max-stack-depth" when Number(out o.PerfMaxStackDepth) && o.PerfMaxStackDepth <= 127: i++; continue;
                case "-h" or "--help": Console.WriteLine(Usage); return 0;
            }
            if (arg.Length > 1 && arg[0] == '-' && arg[1] != '-' && arg[1..].All(c => "UKdIf".Contains(c)))
            {
                foreach (var c in arg[1..])
                {
                    if (c == 'U') o.UserStacksOnly = true;
                    else if (c == 'K') o.KernelStacksOnly = true;
                    else if (c == 'd') o.Delimiter = true;
                    else if (c == 'I') o.IncludeIdle = true;
                    else o.Folded = true;
                }
                continue;
            }
            if (positional++ == 0 && int.TryParse(arg, out o.Duration) && o.Duration > 0) continue;
            Console.Error.WriteLine($"profile: invalid argument '{arg}'\n\n{Usage}");
            return 2;
        }
        if (o.UserStacksOnly && o.KernelStacksOnly)
        {
            Console.Error.WriteLine("profile: user_stacks_only and kernel_stacks_only cannot be used together.");
            return 2;
        }

        using var probes = ProbesSkeleton.Open();
        probes.Globals.UserStacksOnly = o.UserStacksOnly;
        probes.Globals.KernelStacksOnly = o.KernelStacksOnly;
        probes.Globals.IncludeIdle = o.IncludeIdle;
        probes.Globals.FilterByPid = o.Pids.Count > 0;
        probes.Globals.FilterByTid = o.Pids.Count == 0 && o.Tids.Count > 0;
        probes.Object.SetValueSize(nameof(Probes.Stacks), (uint)(o.PerfMaxStackDepth * sizeof(ulong)));
        probes.MaxEntries.Stacks = (uint)o.StackStorageSize;
        probes.Load();
        foreach (var pid in o.Pids) probes.Maps.Pids.Update(pid, 0);
        foreach (var tid in o.Tids) probes.Maps.Tids.Update(tid, 0);

        var kernelSymbols = KernelSymbolTable.Load();
        using IDisposable links = o.Cpu < 0
            ? (IDisposable)PerfEventLink.SoftwareEventOnEveryCpu(probes.Programs.Sample, PerfSoftwareEvent.CpuClock, (ulong)o.SampleFrequency)
            : PerfEventLink.SoftwareEvent(probes.Programs.Sample, o.Cpu, PerfSoftwareEvent.CpuClock, (ulong)o.SampleFrequency);

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        PrintHeader(o);
        Console.Out.Flush();
        stop.Token.WaitHandle.WaitOne(o.Duration >= int.MaxValue / 1000 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(o.Duration));

        PrintCounts(o, probes, kernelSymbols);
        Console.Out.Flush();
        return 0;
    }

    private static void PrintHeader(Options o)
    {
        var header = new System.Text.StringBuilder($"Sampling at {o.SampleFrequency} Hertz of");
        if (o.Pids.Count > 0) header.Append(" PID [").Append(string.Join(", ", o.Pids)).Append(']');
        else if (o.Tids.Count > 0) header.Append(" TID [").Append(string.Join(", ", o.Tids)).Append(']');
        else header.Append(" all threads");
        header.Append(o.UserStacksOnly ? " by user" : o.KernelStacksOnly ? " by kernel" : " by user + kernel");
        if (o.Cpu != -1) header.Append($" on CPU#{o.Cpu}");
        header.Append(o.Duration < int.MaxValue ? $" for {o.Duration} secs." : "... Hit Ctrl-C to end.");
        Console.Out.WriteLine(header);
    }

    private static void PrintCounts(Options o, ProbesSkeleton probes, KernelSymbolTable kernelSymbols)
    {
        var counts = new List<(StackKey Key, ulong Count)>();
        foreach (var key in probes.Maps.Counts.Keys.ToList())
            if (probes.Maps.Counts.TryLookup(key, out var count) && count != 0) counts.Add((key, count));
        counts.Sort((a, b) => b.Count.CompareTo(a.Count));

        var stacks = probes.Maps.Stacks;
        var frames = new ulong[o.PerfMaxStackDepth];
        var processes = new Dictionary<uint, ProcessSymbols?>();
        var files = new SymbolFileCache();
        var missing = 0;
        var collision = false;
        foreach (var (key, count) in counts)
        {
            var name = CommOf(key);
            if (!processes.TryGetValue(key.Pid, out var symbols))
                processes[key.Pid] = symbols = TryLoadSymbols((int)key.Pid, files);
            var prefix = o.Folded ? ";" : "    ";
            var suffix = o.Folded ? "" : "\n";
            var delimiter = o.Folded ? "-" : "--";
            var line = new System.Text.StringBuilder();

            bool PrintKernel(bool delimit)
            {
                if (o.UserStacksOnly || key.KernelStackId == -EFault) return false;
                if (delimit) line.Append(prefix).Append(delimiter).Append(suffix);
                if (!Lookup(stacks, key.KernelStackId, frames)) line.Append(prefix).Append("[Missed Kernel Stack]").Append(suffix);
                else AppendFrames(line, frames, o.Folded, prefix, suffix,
                    ip => kernelSymbols.TryResolve(ip, out var k) ? k.Symbol.Name : "[unknown]");
                return true;
            }

            bool PrintUser(bool delimit)
            {
                if (o.KernelStacksOnly || key.UserStackId == -EFault) return false;
                if (delimit) line.Append(prefix).Append(delimiter).Append(suffix);
                if (!Lookup(stacks, key.UserStackId, frames)) line.Append(prefix).Append("[Missed User Stack]").Append(suffix);
                else if (symbols is not null)
                    AppendFrames(line, frames, o.Folded, prefix, suffix,
                        ip => symbols.TryResolve(ip, out var u) && u.Name is not null ? u.Name : "[unknown]");
                else if (!o.Folded) Console.Error.WriteLine("failed to get syms");
                return true;
            }

            if (!o.Folded)
            {
                var printed = PrintKernel(false);
                PrintUser(printed && o.Delimiter);
                line.Append($"    {"-",-16} {name} ({key.Pid})\n");
                line.Append($"        {count}\n\n");
            }
            else
            {
                line.Append(name);
                var printed = PrintUser(false);
                PrintKernel(printed && o.Delimiter);
                line.Append($" {count}\n");
            }
            Console.Out.Write(line);

            missing += (!o.UserStacksOnly && IsError(key.KernelStackId) ? 1 : 0) + (!o.KernelStacksOnly && IsError(key.UserStackId) ? 1 : 0);
            collision = key.KernelStackId == -EExist || key.UserStackId == -EExist;
        }
        if (missing > 0)
            Console.Error.WriteLine($"WARNING: {missing} stack traces could not be displayed.{(collision ? " Consider increasing --stack-storage-size." : "")}");
    }

    private static string CommOf(StackKey key) => CStrings.Decode(new ReadOnlySpan<byte>(key.Name, Probes.TaskCommLength));

    private static bool IsError(int stackId) => stackId < 0 && stackId != -EFault;

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

    /// <summary>Innermost frame first (multi-line), or outermost first (folded), as bcc's print_stacktrace.</summary>
    private static void AppendFrames(System.Text.StringBuilder line, ulong[] frames, bool folded, string prefix, string suffix, Func<ulong, string> name)
    {
        if (!folded)
        {
            for (var i = 0; i < frames.Length && frames[i] != 0; i++) line.Append(prefix).Append(name(frames[i])).Append(suffix);
            return;
        }
        for (var i = frames.Length - 1; i >= 0; i--)
            if (frames[i] != 0) line.Append(prefix).Append(name(frames[i])).Append(suffix);
    }
}
