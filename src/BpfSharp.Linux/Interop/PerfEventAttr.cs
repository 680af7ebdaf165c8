using System.Runtime.InteropServices;

namespace BpfSharp.Linux.Interop;

/// <summary><c>struct perf_event_attr</c> (<c>PERF_ATTR_SIZE_VER8</c>, 136 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 136)]
internal struct PerfEventAttr
{
    public const uint TypeHardware = 0;
    public const uint TypeSoftware = 1;
    public const uint TypeTracepoint = 2;

    /// <summary><c>PERF_COUNT_SW_BPF_OUTPUT</c>.</summary>
    public const ulong SoftwareBpfOutput = 10;

    /// <summary><c>PERF_SAMPLE_RAW</c>.</summary>
    public const ulong SampleRaw = 1 << 10;

    /// <summary>The <c>disabled</c> bit of the flag word.</summary>
    public const ulong FlagDisabled = 1 << 0;
    /// <summary>The <c>freq</c> bit: <see cref="SamplePeriod"/> is a frequency.</summary>
    public const ulong FlagFreq = 1 << 10;
    /// <summary>The <c>watermark</c> bit: <see cref="WakeupEvents"/> counts bytes.</summary>
    public const ulong FlagWatermark = 1 << 14;

    [FieldOffset(0)] public uint Type;
    [FieldOffset(4)] public uint Size;
    [FieldOffset(8)] public ulong Config;
    /// <summary><c>sample_period</c> / <c>sample_freq</c>.</summary>
    [FieldOffset(16)] public ulong SamplePeriod;
    [FieldOffset(24)] public ulong SampleType;
    [FieldOffset(32)] public ulong ReadFormat;
    /// <summary>The bit-field word (<c>disabled</c>, <c>inherit</c>, ... <c>freq</c>, ...).</summary>
    [FieldOffset(40)] public ulong Flags;
    /// <summary><c>wakeup_events</c> / <c>wakeup_watermark</c>.</summary>
    [FieldOffset(48)] public uint WakeupEvents;
    [FieldOffset(52)] public uint BpType;
    /// <summary><c>config1</c>: <c>kprobe_func</c> / <c>uprobe_path</c> (a C string pointer).</summary>
    [FieldOffset(56)] public ulong Config1;
    /// <summary><c>config2</c>: <c>kprobe_addr</c> / <c>probe_offset</c>.</summary>
    [FieldOffset(64)] public ulong Config2;
    [FieldOffset(72)] public ulong BranchSampleType;
    [FieldOffset(80)] public ulong SampleRegsUser;
    [FieldOffset(88)] public uint SampleStackUser;
    [FieldOffset(92)] public int ClockId;
    [FieldOffset(96)] public ulong SampleRegsIntr;
    [FieldOffset(104)] public uint AuxWatermark;
    [FieldOffset(108)] public ushort SampleMaxStack;
    [FieldOffset(112)] public uint AuxSampleSize;
    [FieldOffset(120)] public ulong SigData;
    [FieldOffset(128)] public ulong Config3;
}

/// <summary>Offsets into <c>struct perf_event_mmap_page</c> and perf record constants.</summary>
internal static class PerfMmapPage
{
    /// <summary>Offset of <c>data_head</c> (written by the kernel).</summary>
    public const int DataHead = 1024;
    /// <summary>Offset of <c>data_tail</c> (written by the reader).</summary>
    public const int DataTail = 1032;
    /// <summary>Offset of <c>data_offset</c>.</summary>
    public const int DataOffset = 1040;
    /// <summary>Offset of <c>data_size</c>.</summary>
    public const int DataSize = 1048;

    /// <summary><c>PERF_RECORD_LOST</c>.</summary>
    public const int RecordLost = 2;
    /// <summary><c>PERF_RECORD_SAMPLE</c>.</summary>
    public const int RecordSample = 9;
}
