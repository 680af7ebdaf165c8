using System.Threading;
using BpfSharp.Kernel;

namespace BpfSharp.TestPrograms.Twins;

/// <summary>Twin of testdata/twins/array_stats.bpf.c.</summary>
public static unsafe class ArrayStatsTwin
{
    static readonly ArrayMap<ulong> PacketTotals = new(maxEntries: 2);

    [Xdp]
    public static int ArrayStats(XdpMd* ctx)
    {
        ulong* packets = PacketTotals.Lookup(0);
        if (packets != null)
        {
            Interlocked.Add(ref *(long*)packets, 1);
        }

        ulong* bytes = PacketTotals.Lookup(1);
        if (bytes != null)
        {
            Interlocked.Add(ref *(long*)bytes, ctx->DataEnd - ctx->Data);
        }

        return (int)XdpAction.Pass;
    }
}
