// core-tour: compiles its own BPF half (Probe.cs) at start-up, loads it (CO-RE resolved against this kernel),
// runs it once for the calling thread and prints what it read next to what /proc says.
using System.Text;
using BpfSharp.Compilation;

namespace CoreTour;

internal static unsafe class Program
{
    private static int Main()
    {
        using var collection = BpfProgramSet.CompileAndLoad(typeof(Program).Assembly.Location);
        var tid = 0;
        var comm = "";
        var thread = new Thread(() =>
        {
            tid = GetTid();
            collection.Programs[nameof(Probe.Describe)].TestRun(default, repeat: 0, contextIn: new byte[16]);
            comm = File.ReadAllText($"/proc/self/task/{tid}/comm").TrimEnd('\n');
        }) { Name = "core-tour" };
        thread.Start();
        thread.Join();

        if (!collection.Maps[nameof(Probe.Reports)].TryLookup(0u, out Report r))
        {
            Console.Error.WriteLine("core-tour: no report");
            return 1;
        }

        var bpfComm = new ReadOnlySpan<byte>(r.Comm, 16);
        var end = bpfComm.IndexOf((byte)0);
        Console.WriteLine($"{"field",-28} {"BPF (CO-RE)",-22} /proc or expected");
        Console.WriteLine($"{"task->pid",-28} {r.Pid,-22} {tid}");
        Console.WriteLine($"{"task->tgid",-28} {r.Tgid,-22} {Environment.ProcessId}");
        Console.WriteLine($"{"task->real_parent->tgid",-28} {r.ParentTgid,-22} {ParentPid()}");
        Console.WriteLine($"{"task->comm",-28} {Encoding.UTF8.GetString(end < 0 ? bpfComm : bpfComm[..end]),-22} {comm}");
        Console.WriteLine($"{"task->start_time (ns)",-28} {r.StartTime,-22}");
        Console.WriteLine($"{"task->se.vruntime (ns)",-28} {r.Vruntime,-22}");
        Console.WriteLine($"{"state field",-28} {(r.StateIsLong != 0 ? "long state" : "unsigned int __state"),-22} {(Environment.OSVersion.Version >= new Version(5, 14) ? "__state since 5.14" : "state before 5.14")}");
        Console.WriteLine($"{"PIDTYPE_TGID",-28} {r.PidTypeTgid,-22} (local value 101)");
        Console.WriteLine($"{"sizeof(struct task_struct)",-28} {r.TaskStructSize,-22}");
        return 0;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetTid();

    private static int ParentPid()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
    }
}
