using System.Buffers.Binary;

namespace BpfSharp.Tests.CompilerTwins;

/// <summary>Real Ethernet/IPv4/UDP/TCP packets (and a few odd ones) that every packet twin runs over, in order.</summary>
internal static class TwinPackets
{
    private const ushort EthPIp = 0x0800, EthPArp = 0x0806, EthPIpv6 = 0x86dd;

    /// <summary>The packets, each with a short description for failure messages.</summary>
    public static readonly (string Name, byte[] Bytes)[] All =
    [
        ("udp to 53", Ipv4Udp(sourcePort: 40000, destinationPort: 53, payload: 30, tos: 0, ttl: 64)),
        ("udp to 5353", Ipv4Udp(sourcePort: 5353, destinationPort: 5353, payload: 100, tos: 0xb8, ttl: 1)),
        ("udp to 53 again", Ipv4Udp(sourcePort: 40001, destinationPort: 53, payload: 30, tos: 0x20, ttl: 63)),
        ("tcp to 80", Ipv4Tcp(destinationPort: 80, payload: 0, tos: 0x10)),
        ("tcp to 443", Ipv4Tcp(destinationPort: 443, payload: 200, tos: 0x28)),
        ("tcp to 53", Ipv4Tcp(destinationPort: 53, payload: 12, tos: 0)),
        ("big tcp", Ipv4Tcp(destinationPort: 8080, payload: 1200, tos: 0x48)),
        ("icmp echo", Ipv4(protocol: 1, l4: [8, 0, 0xf7, 0xff, 0, 0, 0, 0], tos: 0, ttl: 64)),
        ("gre", Ipv4(protocol: 47, l4: new byte[24], tos: 0, ttl: 64)),
        ("sctp", Ipv4(protocol: 132, l4: new byte[16], tos: 0xc0, ttl: 64)),
        ("igmp", Ipv4(protocol: 2, l4: new byte[8], tos: 0, ttl: 1)),
        ("udp with ip options", Ipv4(protocol: 17, l4: Udp(1234, 53, 10), tos: 0, ttl: 9, options: [1, 1, 1, 0])),
        ("truncated udp", Truncate(Ipv4Udp(sourcePort: 1, destinationPort: 2, payload: 0, tos: 0, ttl: 64), 14 + 20 + 4)),
        ("truncated ipv4", Truncate(Ipv4Udp(sourcePort: 1, destinationPort: 2, payload: 0, tos: 0, ttl: 64), 14 + 10)),
        ("arp", Ethernet(EthPArp, new byte[28])),
        ("ipv6", Ethernet(EthPIpv6, new byte[48])),
        ("bare ethernet header", Ethernet(EthPIp, [])),
    ];

    private static byte[] Truncate(byte[] packet, int length) => packet[..length];

    private static byte[] Ethernet(ushort protocol, byte[] payload)
    {
        var p = new byte[14 + payload.Length];
        byte[] dst = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01], src = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];
        dst.CopyTo(p, 0);
        src.CopyTo(p, 6);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(12), protocol);
        payload.CopyTo(p, 14);
        return p;
    }

    private static byte[] Ipv4(byte protocol, byte[] l4, byte tos, byte ttl, byte[]? options = null)
    {
        options ??= [];
        int headerLength = 20 + options.Length;
        var ip = new byte[headerLength + l4.Length];
        ip[0] = (byte)(0x40 | headerLength / 4);
        ip[1] = tos;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), 0x1234);
        ip[8] = ttl;
        ip[9] = protocol;
        byte[] saddr = [10, 0, 0, 1], daddr = [10, 0, 0, 2];
        saddr.CopyTo(ip, 12);
        daddr.CopyTo(ip, 16);
        options.CopyTo(ip, 20);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(10), Checksum(ip.AsSpan(0, headerLength)));
        l4.CopyTo(ip, headerLength);
        return Ethernet(EthPIp, ip);
    }

    private static byte[] Udp(ushort sourcePort, ushort destinationPort, int payload)
    {
        var udp = new byte[8 + payload];
        BinaryPrimitives.WriteUInt16BigEndian(udp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        for (int i = 8; i < udp.Length; i++) udp[i] = (byte)(i * 13);
        return udp;
    }

    private static byte[] Ipv4Udp(ushort sourcePort, ushort destinationPort, int payload, byte tos, byte ttl) =>
        Ipv4(17, Udp(sourcePort, destinationPort, payload), tos, ttl);

    private static byte[] Ipv4Tcp(ushort destinationPort, int payload, byte tos)
    {
        var tcp = new byte[20 + payload];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, 51000);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(4), 0x01020304);
        tcp[12] = 5 << 4;
        tcp[13] = 0x02; // SYN
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(14), 65535);
        for (int i = 20; i < tcp.Length; i++) tcp[i] = (byte)(i * 7);
        return Ipv4(6, tcp, tos, 64);
    }

    private static ushort Checksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < header.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }
}
