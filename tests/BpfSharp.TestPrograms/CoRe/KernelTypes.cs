using System.Runtime.InteropServices;
using BpfSharp.Kernel;

namespace BpfSharp.TestPrograms.CoRe;

// Partial kernel types: only the fields the programs use, in any order. Their layout is the running kernel's.

[Relocatable("task_struct")]
public unsafe struct TaskStruct
{
    public int pid;
    public int tgid;
    public TaskStruct* real_parent;
    public SchedEntity se;
    public fixed byte comm[16];
    public ulong start_time;
    public uint flags;
}

[Relocatable("sched_entity")]
public struct SchedEntity
{
    public ulong vruntime;
    public ulong sum_exec_runtime;
}

/// <summary>task_struct before 5.14 had <c>long state</c>; later kernels renamed it <c>__state</c>.</summary>
[Relocatable("task_struct___old")]
public struct TaskStructOld
{
    public long state;
}

[Relocatable("task_struct___new")]
public struct TaskStructNew
{
    public uint __state;
}

/// <summary>Local values deliberately differ from the kernel's (PIDTYPE_TGID is 1 there): relocation must fix them.</summary>
[Relocatable("pid_type")]
public enum PidType
{
    PIDTYPE_PID = 10,
    PIDTYPE_TGID = 11,
    PIDTYPE_PGID = 12,
    PIDTYPE_SID = 13,
    PIDTYPE_MAX = 14,
}

/// <summary>A type no kernel has.</summary>
[Relocatable("bpfsharp_no_such_type")]
public struct NoSuchType
{
    public int x;
}

[StructLayout(LayoutKind.Sequential)]
public unsafe struct TaskInfo
{
    public int Pid;
    public int Tgid;
    public int ParentTgid;
    public int OldStateExists;
    public int NewStateExists;
    public int NoSuchTypeExists;
    public ulong StartTime;
    public ulong Vruntime;
    public long PidTypeTgid;
    public uint TaskSize;
    public uint PidOffset;
    public fixed byte Comm[16];
}

// sk_buff: anonymous unions and structs, a union member, an array, a bitfield — partial, in kernel order.

[Relocatable("sk_buff")]
public unsafe struct SkBuffKernel
{
    [Anonymous] public SkBuffHead head;
    public void* sk;
    [Anonymous] public SkBuffTime time;
    public fixed byte cb[48];
    public uint len;
    [Bitfield(1)] public byte cloned;
}

[Anonymous]
[StructLayout(LayoutKind.Explicit)]
public unsafe struct SkBuffHead
{
    [FieldOffset(0)] [Anonymous] public SkBuffLinks links;
    [FieldOffset(0)] public RbNode rbnode;
}

[Anonymous]
public unsafe struct SkBuffLinks
{
    public SkBuffKernel* next;
    public SkBuffKernel* prev;
}

[Relocatable("rb_node")]
public unsafe struct RbNode
{
    public ulong __rb_parent_color;
    public RbNode* rb_right;
    public RbNode* rb_left;
}

[Anonymous]
[StructLayout(LayoutKind.Explicit)]
public struct SkBuffTime
{
    [FieldOffset(0)] public long tstamp;
    [FieldOffset(0)] public ulong skb_mstamp_ns;
}

public struct SkbInfo
{
    public ulong Prev;
    public ulong Mstamp;
    public uint Cb5;
    public uint CbI;
    public uint NextLen;
    public uint LenSize;
    public uint LenSigned;
    public uint LenLShift;
    public uint LenRShift;
    public ulong Cloned;
    public ulong RbLeft;
}
