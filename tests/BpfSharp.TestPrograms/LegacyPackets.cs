using BpfSharp.Kernel;

namespace BpfSharp.TestPrograms;

/// <summary>LD_ABS / LD_IND through <see cref="LegacyPacket"/> in a tc classifier (which sees the packet from
/// its Ethernet header; a socket filter under BPF_PROG_TEST_RUN starts at the network header).</summary>
public static unsafe class LegacyPackets
{
    [Tc]
    public static int LegacyLoads(SkBuff* skb)
    {
        var etherType = LegacyPacket.LoadHalf(skb, 12);
        var headerLength = (LegacyPacket.LoadByte(skb, 14) & 0xf) * 4;
        var ttl = LegacyPacket.LoadByte(skb, 22);
        var source = LegacyPacket.LoadWord(skb, 26);
        var destinationPort = LegacyPacket.LoadHalf(skb, 14 + headerLength + 2);
        return (int)((etherType ^ (ttl << 8) ^ source ^ (destinationPort << 12)) & 0x7fffffff);
    }
}
