// The BPF half of core-tour: what only CO-RE gives, written in C#. One compiled program reads fields whose
// offsets differ between kernels, checks for a field that was renamed in 5.14, and asks the kernel for an enum
// value, all resolved at load time against the running kernel's BTF.
using BpfSharp.Kernel;

namespace CoreTour;

[Relocatable("task_struct")]
public unsafe struct TaskStruct
{
    public int pid;
    public int tgid;
    public TaskStruct* real_parent;
    public SchedEntity se;
    public fixed byte comm[16];
    public ulong start_time;
}

[Relocatable("sched_entity")]
public struct SchedEntity
{
    public ulong vruntime;
}

/// <summary>Before 5.14: <c>long state</c>.</summary>
[Relocatable("task_struct___pre_5_14")]
public struct TaskStructPre514
{
    public long state;
}

/// <summary>Since 5.14: <c>unsigned int __state</c>.</summary>
[Relocatable("task_struct___since_5_14")]
public struct TaskStructSince514
{
    public uint __state;
}

/// <summary>Our numbering is deliberately wrong: the kernel's value comes from its BTF.</summary>
[Relocatable("pid_type")]
public enum PidType
{
    PIDTYPE_PID = 100,
    PIDTYPE_TGID = 101,
    PIDTYPE_PGID = 102,
}

public unsafe struct Report
{
    public int Pid;
    public int Tgid;
    public int ParentTgid;
    public int StateIsLong;
    public ulong Vruntime;
    public ulong StartTime;
    public long State;
    public long PidTypeTgid;
    public uint TaskStructSize;
    public fixed byte Comm[16];
}

public static unsafe class Probe
{
    public static readonly ArrayMap<Report> Reports = new(maxEntries: 1);

    /// <summary>Run once with BPF_PROG_TEST_RUN: the current task is the thread that asks.</summary>
    [RawTracepoint("sys_enter")]
    public static int Describe(void* ctx)
    {
        var task = (TaskStruct*)Bpf.GetCurrentTask();
        var r = Reports.Lookup(0);
        if (r == null)
        {
            return 0;
        }

        r->Pid = task->pid;
        r->Tgid = task->tgid;
        r->ParentTgid = task->real_parent->tgid;
        r->Vruntime = task->se.vruntime;
        r->StartTime = task->start_time;
        Core.ReadString(r->Comm, 16, in task->comm[0]);
        if (Core.FieldExists(in ((TaskStructPre514*)task)->state))
        {
            r->StateIsLong = 1;
            r->State = ((TaskStructPre514*)task)->state;
        }
        else
        {
            r->State = ((TaskStructSince514*)task)->__state;
        }

        r->PidTypeTgid = Core.EnumValue(PidType.PIDTYPE_TGID);
        r->TaskStructSize = Core.TypeSize<TaskStruct>();
        return 0;
    }
}
