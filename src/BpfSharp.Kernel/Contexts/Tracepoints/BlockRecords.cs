using System.Runtime.InteropServices;

namespace BpfSharp.Kernel.Tracepoints;

/// <summary>The record of <c>block/block_rq_insert</c>, <c>block_rq_issue</c> and <c>block_rq_merge</c>
/// (<c>struct trace_event_raw_block_rq</c>).</summary>
[BtfName("trace_event_raw_block_rq")]
[StructLayout(LayoutKind.Sequential)]
public unsafe struct BlockRq
{
    /// <summary>The common header (<c>ent</c>).</summary>
    [BtfName("ent")] public TraceEntry Entry;
    /// <summary>The device (<c>dev</c>: major &lt;&lt; 20 | minor).</summary>
    [BtfName("dev")] public uint Dev;
    /// <summary>The first sector (<c>sector</c>).</summary>
    [BtfName("sector")] public ulong Sector;
    /// <summary>The number of sectors (<c>nr_sector</c>).</summary>
    [BtfName("nr_sector")] public uint NrSector;
    /// <summary>The request's size in bytes (<c>bytes</c>).</summary>
    [BtfName("bytes")] public uint Bytes;
    /// <summary>The I/O priority (<c>ioprio</c>).</summary>
    [BtfName("ioprio")] public ushort Ioprio;
    /// <summary>Read/write/sync flags as letters (<c>rwbs</c>, NUL-terminated).</summary>
    [BtfName("rwbs")] public fixed byte Rwbs[10];
    /// <summary>The submitting task's name (<c>comm</c>).</summary>
    [BtfName("comm")] public fixed byte Comm[16];
    /// <summary>Where the SCSI command is (<c>__data_loc_cmd</c>); see <see cref="DataLocation"/>.</summary>
    [BtfName("__data_loc_cmd")] public uint CmdLocation;
}

/// <summary>The record of <c>block/block_rq_complete</c> and <c>block_rq_error</c>
/// (<c>struct trace_event_raw_block_rq_completion</c>).</summary>
[BtfName("trace_event_raw_block_rq_completion")]
[StructLayout(LayoutKind.Sequential)]
public unsafe struct BlockRqCompletion
{
    /// <summary>The common header (<c>ent</c>).</summary>
    [BtfName("ent")] public TraceEntry Entry;
    /// <summary>The device (<c>dev</c>).</summary>
    [BtfName("dev")] public uint Dev;
    /// <summary>The first sector (<c>sector</c>).</summary>
    [BtfName("sector")] public ulong Sector;
    /// <summary>The number of sectors (<c>nr_sector</c>).</summary>
    [BtfName("nr_sector")] public uint NrSector;
    /// <summary>The completion status (<c>error</c>: 0 or a negative errno).</summary>
    [BtfName("error")] public int Error;
    /// <summary>The I/O priority (<c>ioprio</c>).</summary>
    [BtfName("ioprio")] public ushort Ioprio;
    /// <summary>Read/write/sync flags as letters (<c>rwbs</c>).</summary>
    [BtfName("rwbs")] public fixed byte Rwbs[10];
    /// <summary>Where the SCSI command is (<c>__data_loc_cmd</c>).</summary>
    [BtfName("__data_loc_cmd")] public uint CmdLocation;
}
