namespace BpfSharp.TestPrograms.Twins;

/// <summary>struct ethhdr (14 bytes).</summary>
public unsafe struct EthHeader
{
    public fixed byte Destination[6];
    public fixed byte Source[6];
    public ushort Protocol; // network byte order
}

/// <summary>struct iphdr without options (20 bytes); the low nibble of <see cref="VersionIhl"/> is the header length in words.</summary>
public struct Ipv4Header
{
    public byte VersionIhl;
    public byte Tos;
    public ushort TotalLength;
    public ushort Id;
    public ushort FragmentOffset;
    public byte Ttl;
    public byte Protocol;
    public ushort Checksum;
    public uint Source;
    public uint Destination;
}

/// <summary>struct udphdr (8 bytes).</summary>
public struct UdpHeader
{
    public ushort SourcePort;
    public ushort DestinationPort;
    public ushort Length;
    public ushort Checksum;
}

/// <summary>struct tcphdr (20 bytes).</summary>
public struct TcpHeader
{
    public ushort SourcePort;
    public ushort DestinationPort;
    public uint Sequence;
    public uint Acknowledgement;
    public ushort OffsetAndFlags;
    public ushort Window;
    public ushort Checksum;
    public ushort UrgentPointer;
}

/// <summary>Constants the twins share with their C versions.</summary>
public static class Net
{
    public const ushort EthPIpNetworkOrder = 0x0008; // htons(ETH_P_IP) on little endian
    public const byte IpProtoIcmp = 1, IpProtoTcp = 6, IpProtoUdp = 17, IpProtoGre = 47, IpProtoSctp = 132;
}
