// Compiled into the gen-csharp scratch project next to the generated bindings: a BPF program that uses
// `bpfsharp gen csharp --types task_struct --shallow` output as its kernel types.
using BpfSharp.Kernel;
using Gen.Shallow;

namespace Gen.Probe;

internal struct ProbeResult
{
    public int Pid;
    public int Tgid;
    public int ParentTgid;
    public int HasState;
    public ulong StartTime;
}

internal static unsafe class GeneratedBindingsProbe
{
    internal static readonly ArrayMap<ProbeResult> Results = new(maxEntries: 1);

    [RawTracepoint("sys_enter")]
    internal static int ReadWithGeneratedTypes(void* ctx)
    {
        var task = (TaskStruct*)Bpf.GetCurrentTask();
        var result = Results.Lookup(0);
        if (result == null)
        {
            return 0;
        }

        result->Pid = task->pid;
        result->Tgid = task->tgid;
        result->ParentTgid = task->real_parent->tgid;
        result->StartTime = task->start_time;
        result->HasState = Core.FieldExists(in task->__state) ? 1 : 0;
        return 0;
    }
}
