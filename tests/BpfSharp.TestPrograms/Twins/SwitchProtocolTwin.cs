using System.Threading;
using BpfSharp.Kernel;

namespace BpfSharp.TestPrograms.Twins;

/// <summary>Twin of testdata/twins/switch_protocol.bpf.c.</summary>
public static unsafe class SwitchProtocolTwin
{
    static readonly ArrayMap<ulong> ProtocolSlots = new(maxEntries: 6);

    [Xdp]
    public static int SwitchProtocol(XdpMd* ctx)
    {
        byte* data = ctx->DataPointer;
        byte* end = ctx->DataEndPointer;
        var ip = (Ipv4Header*)(data + sizeof(EthHeader));
        if (ip + 1 > end)
        {
            return (int)XdpAction.Pass;
        }

        uint slot;
        int verdict = (int)XdpAction.Pass;
        switch (ip->Protocol)
        {
            case Net.IpProtoIcmp:
                slot = 0;
                verdict = (int)XdpAction.Drop;
                break;
            case Net.IpProtoTcp:
                slot = 1;
                break;
            case Net.IpProtoUdp:
                slot = 2;
                break;
            case Net.IpProtoGre:
                slot = 3;
                verdict = (int)XdpAction.Drop;
                break;
            case Net.IpProtoSctp:
                slot = 4;
                break;
            default:
                slot = 5;
                break;
        }

        ulong* count = ProtocolSlots.Lookup(slot);
        if (count != null)
        {
            Interlocked.Add(ref *(long*)count, 1);
        }

        return verdict;
    }
}
