using System.Runtime.InteropServices;

namespace BpfSharp.Kernel.Tracepoints;

/// <summary>
/// The record of every <c>syscalls/sys_enter_*</c> tracepoint (<c>struct syscall_trace_enter</c>): the syscall
/// number and its arguments as the format file lists them (<c>sys_enter_openat</c>: dfd, filename, flags, mode).
/// <c>ctx-&gt;Args[1]</c> is one load from the context.
/// </summary>
[BtfName("syscall_trace_enter")]
[StructLayout(LayoutKind.Sequential)]
public unsafe struct SyscallEnter
{
    /// <summary>The common header (<c>ent</c>).</summary>
    [BtfName("ent")] public TraceEntry Entry;
    /// <summary>The syscall number (<c>nr</c>, <c>__syscall_nr</c> in the format file).</summary>
    [BtfName("nr")] public int Nr;
    /// <summary>The arguments, each widened to 64 bits (<c>args</c>; a syscall has at most six).</summary>
    [BtfName("args")] public fixed ulong Args[6];
}

/// <summary>The record of every <c>syscalls/sys_exit_*</c> tracepoint (<c>struct syscall_trace_exit</c>).</summary>
[BtfName("syscall_trace_exit")]
[StructLayout(LayoutKind.Sequential)]
public struct SyscallExit
{
    /// <summary>The common header (<c>ent</c>).</summary>
    [BtfName("ent")] public TraceEntry Entry;
    /// <summary>The syscall number (<c>nr</c>).</summary>
    [BtfName("nr")] public int Nr;
    /// <summary>The return value (<c>ret</c>): a negative errno on failure.</summary>
    [BtfName("ret")] public long Ret;
}

/// <summary>The record of <c>raw_syscalls/sys_enter</c> (<c>struct trace_event_raw_sys_enter</c>): every syscall.</summary>
[BtfName("trace_event_raw_sys_enter")]
[StructLayout(LayoutKind.Sequential)]
public unsafe struct RawSyscallEnter
{
    /// <summary>The common header (<c>ent</c>).</summary>
    [BtfName("ent")] public TraceEntry Entry;
    /// <summary>The syscall number (<c>id</c>).</summary>
    [BtfName("id")] public long Id;
    /// <summary>The six argument registers (<c>args</c>).</summary>
    [BtfName("args")] public fixed ulong Args[6];
}

/// <summary>The record of <c>raw_syscalls/sys_exit</c> (<c>struct trace_event_raw_sys_exit</c>).</summary>
[BtfName("trace_event_raw_sys_exit")]
[StructLayout(LayoutKind.Sequential)]
public struct RawSyscallExit
{
    /// <summary>The common header (<c>ent</c>).</summary>
    [BtfName("ent")] public TraceEntry Entry;
    /// <summary>The syscall number (<c>id</c>).</summary>
    [BtfName("id")] public long Id;
    /// <summary>The return value (<c>ret</c>).</summary>
    [BtfName("ret")] public long Ret;
}
