using System.Buffers.Binary;
using System.Threading;
using BpfSharp.Kernel;

namespace BpfSharp.TestPrograms.Twins;

/// <summary>Twin of testdata/twins/xdp_parser.bpf.c.</summary>
public static unsafe class XdpParserTwin
{
    public struct FlowKey
    {
        public byte Protocol;
        public byte Pad;
        public ushort Port;
    }

    static readonly HashMap<FlowKey, ulong> FlowCounts = new(maxEntries: 256);

    static readonly ushort BlockedPort = 53;

    [Xdp]
    public static int XdpParser(XdpMd* ctx)
    {
        byte* data = ctx->DataPointer;
        byte* end = ctx->DataEndPointer;
        var eth = (EthHeader*)data;
        if (eth + 1 > end)
        {
            return (int)XdpAction.Drop;
        }

        if (eth->Protocol != Net.EthPIpNetworkOrder)
        {
            return (int)XdpAction.Pass;
        }

        var ip = (Ipv4Header*)(eth + 1);
        if (ip + 1 > end)
        {
            return (int)XdpAction.Drop;
        }

        byte* l4 = (byte*)ip + (ip->VersionIhl & 0xf) * 4;
        FlowKey key = default;
        key.Protocol = ip->Protocol;
        if (ip->Protocol == Net.IpProtoUdp)
        {
            var udp = (UdpHeader*)l4;
            if (udp + 1 > end)
            {
                return (int)XdpAction.Drop;
            }

            key.Port = BinaryPrimitives.ReverseEndianness(udp->DestinationPort);
        }
        else if (ip->Protocol == Net.IpProtoTcp)
        {
            var tcp = (TcpHeader*)l4;
            if (tcp + 1 > end)
            {
                return (int)XdpAction.Drop;
            }

            key.Port = BinaryPrimitives.ReverseEndianness(tcp->DestinationPort);
        }

        ulong* count = FlowCounts.Lookup(key);
        if (count != null)
        {
            Interlocked.Add(ref *(long*)count, 1);
        }
        else
        {
            FlowCounts.Update(key, 1, UpdateFlags.NoExist);
        }

        return key.Port == BlockedPort ? (int)XdpAction.Drop : (int)XdpAction.Pass;
    }
}
