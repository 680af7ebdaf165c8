using System.Runtime.InteropServices;

namespace BpfSharp.Kernel;

/// <summary>
/// <c>struct trace_entry</c>: the 8-byte header at the start of every classic tracepoint record. A tracepoint's
/// context struct starts with it, followed by the fields listed in <c>/sys/kernel/tracing/events/…/format</c>.
/// </summary>
[BtfName("trace_entry")]
[StructLayout(LayoutKind.Sequential)]
public struct TraceEntry
{
    /// <summary>The event id (<c>type</c>).</summary>
    [BtfName("type")] public ushort Type;
    /// <summary>The trace flags: irqs off, need-resched, hard/soft irq (<c>flags</c>).</summary>
    [BtfName("flags")] public byte Flags;
    /// <summary>The preemption count when the event fired (<c>preempt_count</c>).</summary>
    [BtfName("preempt_count")] public byte PreemptCount;
    /// <summary>The id of the thread that fired the event (<c>pid</c>).</summary>
    [BtfName("pid")] public int Pid;
}
