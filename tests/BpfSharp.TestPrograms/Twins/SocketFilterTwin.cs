using System.Threading;
using BpfSharp.Kernel;

namespace BpfSharp.TestPrograms.Twins;

/// <summary>Twin of testdata/twins/socket_filter.bpf.c.</summary>
public static unsafe class SocketFilterTwin
{
    static readonly ArrayMap<ulong> KeptPackets = new(maxEntries: 1);

    [SocketFilter]
    public static int SocketFilter(SkBuff* skb)
    {
        if (skb->Protocol != Net.EthPIpNetworkOrder)
        {
            return 0;
        }

        byte protocol;
        // A socket filter's data starts at the network header.
        if (Bpf.SkbLoadBytes(skb, 9, &protocol, 1) < 0)
        {
            return 0;
        }

        if (protocol != Net.IpProtoUdp)
        {
            return 0;
        }

        ulong* kept = KeptPackets.Lookup(0);
        if (kept != null)
        {
            Interlocked.Add(ref *(long*)kept, 1);
        }

        return skb->Len < 64 ? (int)skb->Len : 64;
    }
}
