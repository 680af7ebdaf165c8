using System.Runtime.InteropServices;

namespace BpfSharp.Kernel.Tracepoints;

/// <summary>The record of <c>sched/sched_switch</c> (<c>struct trace_event_raw_sched_switch</c>).</summary>
[BtfName("trace_event_raw_sched_switch")]
[StructLayout(LayoutKind.Sequential)]
public unsafe struct SchedSwitch
{
    /// <summary>The common header (<c>ent</c>).</summary>
    [BtfName("ent")] public TraceEntry Entry;
    /// <summary>The outgoing task's name (<c>prev_comm</c>).</summary>
    [BtfName("prev_comm")] public fixed byte PrevComm[16];
    /// <summary>The outgoing task's id (<c>prev_pid</c>: user space's thread id).</summary>
    [BtfName("prev_pid")] public int PrevPid;
    /// <summary>The outgoing task's priority (<c>prev_prio</c>).</summary>
    [BtfName("prev_prio")] public int PrevPrio;
    /// <summary>The outgoing task's state (<c>prev_state</c>): 0 when it was preempted while runnable.</summary>
    [BtfName("prev_state")] public long PrevState;
    /// <summary>The incoming task's name (<c>next_comm</c>).</summary>
    [BtfName("next_comm")] public fixed byte NextComm[16];
    /// <summary>The incoming task's id (<c>next_pid</c>).</summary>
    [BtfName("next_pid")] public int NextPid;
    /// <summary>The incoming task's priority (<c>next_prio</c>).</summary>
    [BtfName("next_prio")] public int NextPrio;
}

/// <summary>The record of <c>sched/sched_wakeup</c>, <c>sched_wakeup_new</c> and <c>sched_waking</c>
/// (<c>struct trace_event_raw_sched_wakeup_template</c>).</summary>
[BtfName("trace_event_raw_sched_wakeup_template")]
[StructLayout(LayoutKind.Sequential)]
public unsafe struct SchedWakeup
{
    /// <summary>The common header (<c>ent</c>).</summary>
    [BtfName("ent")] public TraceEntry Entry;
    /// <summary>The woken task's name (<c>comm</c>).</summary>
    [BtfName("comm")] public fixed byte Comm[16];
    /// <summary>The woken task's id (<c>pid</c>).</summary>
    [BtfName("pid")] public int Pid;
    /// <summary>Its priority (<c>prio</c>).</summary>
    [BtfName("prio")] public int Prio;
    /// <summary>The CPU it will run on (<c>target_cpu</c>).</summary>
    [BtfName("target_cpu")] public int TargetCpu;
}

/// <summary>The record of <c>sched/sched_process_exec</c> (<c>struct trace_event_raw_sched_process_exec</c>).</summary>
[BtfName("trace_event_raw_sched_process_exec")]
[StructLayout(LayoutKind.Sequential)]
public struct SchedProcessExec
{
    /// <summary>The common header (<c>ent</c>).</summary>
    [BtfName("ent")] public TraceEntry Entry;
    /// <summary>Where the executed file's name is in the record (<c>__data_loc_filename</c>); see <see cref="DataLocation"/>.</summary>
    [BtfName("__data_loc_filename")] public uint FilenameLocation;
    /// <summary>The process id after exec (<c>pid</c>).</summary>
    [BtfName("pid")] public int Pid;
    /// <summary>The id of the thread that called exec (<c>old_pid</c>).</summary>
    [BtfName("old_pid")] public int OldPid;
}

/// <summary>The record of <c>sched/sched_process_exit</c> (<c>struct trace_event_raw_sched_process_exit</c>, 6.16+;
/// earlier kernels use the layout of <c>sched_process_template</c>).</summary>
[BtfName("trace_event_raw_sched_process_exit")]
[StructLayout(LayoutKind.Sequential)]
public unsafe struct SchedProcessExit
{
    /// <summary>The common header (<c>ent</c>).</summary>
    [BtfName("ent")] public TraceEntry Entry;
    /// <summary>The exiting task's name (<c>comm</c>).</summary>
    [BtfName("comm")] public fixed byte Comm[16];
    /// <summary>The exiting task's id (<c>pid</c>).</summary>
    [BtfName("pid")] public int Pid;
    /// <summary>Its priority (<c>prio</c>).</summary>
    [BtfName("prio")] public int Prio;
    /// <summary>1 when it is the last thread of its process (<c>group_dead</c>, a C <c>bool</c>).</summary>
    [BtfName("group_dead")] public byte GroupDead;
}

/// <summary>The record of <c>sched/sched_process_fork</c> (<c>struct trace_event_raw_sched_process_fork</c>;
/// the names are <c>__data_loc</c> strings since 6.12).</summary>
[BtfName("trace_event_raw_sched_process_fork")]
[StructLayout(LayoutKind.Sequential)]
public struct SchedProcessFork
{
    /// <summary>The common header (<c>ent</c>).</summary>
    [BtfName("ent")] public TraceEntry Entry;
    /// <summary>Where the parent's name is (<c>__data_loc_parent_comm</c>); see <see cref="DataLocation"/>.</summary>
    [BtfName("__data_loc_parent_comm")] public uint ParentCommLocation;
    /// <summary>The parent's id (<c>parent_pid</c>).</summary>
    [BtfName("parent_pid")] public int ParentPid;
    /// <summary>Where the child's name is (<c>__data_loc_child_comm</c>).</summary>
    [BtfName("__data_loc_child_comm")] public uint ChildCommLocation;
    /// <summary>The child's id (<c>child_pid</c>).</summary>
    [BtfName("child_pid")] public int ChildPid;
}
