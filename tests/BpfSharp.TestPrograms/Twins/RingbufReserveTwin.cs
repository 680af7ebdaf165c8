using System.Buffers.Binary;
using BpfSharp.Kernel;

namespace BpfSharp.TestPrograms.Twins;

/// <summary>Twin of testdata/twins/ringbuf_reserve.bpf.c.</summary>
public static unsafe class RingbufReserveTwin
{
    public struct PacketEvent
    {
        public uint Length;
        public ushort EthProtocol;
        public byte IpProtocol;
        public byte Ttl;
        public ulong Head;
    }

    static readonly RingBuffer PacketEvents = new(size: 64 * 1024);

    [Xdp]
    public static int RingbufReserve(XdpMd* ctx)
    {
        byte* data = ctx->DataPointer;
        byte* end = ctx->DataEndPointer;
        var eth = (EthHeader*)data;
        var ip = (Ipv4Header*)(eth + 1);
        if (ip + 1 > end)
        {
            return (int)XdpAction.Pass;
        }

        PacketEvent* e = PacketEvents.Reserve<PacketEvent>();
        if (e == null)
        {
            return (int)XdpAction.Pass;
        }

        e->Length = (uint)(end - data);
        e->EthProtocol = BinaryPrimitives.ReverseEndianness(eth->Protocol);
        e->IpProtocol = ip->Protocol;
        e->Ttl = ip->Ttl;
        e->Head = *(ulong*)data;
        PacketEvents.Submit(e);
        return (int)XdpAction.Pass;
    }
}
