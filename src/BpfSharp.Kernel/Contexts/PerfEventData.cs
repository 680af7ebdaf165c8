using System.Runtime.InteropServices;

namespace BpfSharp.Kernel;

/// <summary>
/// <c>struct bpf_perf_event_data</c>: the context of a <c>[PerfEvent]</c> program (x86-64: <c>bpf_user_pt_regs_t</c>
/// is <c>struct pt_regs</c>). The verifier rewrites these loads to the sampled event's data.
/// </summary>
[BtfName("bpf_perf_event_data")]
[StructLayout(LayoutKind.Sequential)]
public struct PerfEventData
{
    /// <summary>The registers of the interrupted context (<c>regs</c>): user or kernel, see <c>Regs.Cs &amp; 3</c>.</summary>
    [BtfName("regs")] public PtRegs Regs;
    /// <summary>The event's sample period (<c>sample_period</c>).</summary>
    [BtfName("sample_period")] public ulong SamplePeriod;
    /// <summary>The sampled data address, for events that record one (<c>addr</c>).</summary>
    [BtfName("addr")] public ulong Addr;
}
