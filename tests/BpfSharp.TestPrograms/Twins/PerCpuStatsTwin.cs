using BpfSharp.Kernel;

namespace BpfSharp.TestPrograms.Twins;

/// <summary>Twin of testdata/twins/percpu_stats.bpf.c.</summary>
public static unsafe class PerCpuStatsTwin
{
    public struct TrafficStats
    {
        public ulong Packets;
        public ulong Bytes;
        public ulong Largest;
    }

    static readonly PerCpuArrayMap<TrafficStats> CpuTraffic = new(maxEntries: 1);

    [Xdp]
    public static int PerCpuStats(XdpMd* ctx)
    {
        TrafficStats* s = CpuTraffic.Lookup(0);
        if (s == null)
        {
            return (int)XdpAction.Aborted;
        }

        ulong len = ctx->DataEnd - ctx->Data;
        s->Packets += 1;
        s->Bytes += len;
        if (len > s->Largest)
        {
            s->Largest = len;
        }

        return (int)XdpAction.Pass;
    }
}
