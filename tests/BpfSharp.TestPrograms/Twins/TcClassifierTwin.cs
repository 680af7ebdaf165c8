using System.Threading;
using BpfSharp.Kernel;

namespace BpfSharp.TestPrograms.Twins;

/// <summary>Twin of testdata/twins/tc_classifier.bpf.c.</summary>
public static unsafe class TcClassifierTwin
{
    static readonly ArrayMap<ulong> DscpCounts = new(maxEntries: 64);

    [Tc]
    public static int TcClassifier(SkBuff* skb)
    {
        byte* data = skb->DataPointer;
        byte* end = skb->DataEndPointer;
        if (skb->Protocol != Net.EthPIpNetworkOrder)
        {
            return (int)TcAction.Ok;
        }

        var ip = (Ipv4Header*)(data + sizeof(EthHeader));
        if (ip + 1 > end)
        {
            return (int)TcAction.Shot;
        }

        uint dscp = (uint)(ip->Tos >> 2);
        skb->Mark = 0x1000 | dscp;
        skb->Priority = ip->Protocol;
        ulong* count = DscpCounts.Lookup(dscp);
        if (count != null)
        {
            Interlocked.Add(ref *(long*)count, 1);
        }

        return skb->Len > 1000 ? (int)TcAction.Shot : (int)TcAction.Ok;
    }
}
