using System.Runtime.InteropServices;

namespace BpfSharp.Kernel;

/// <summary>An IPv4 address as it is on the wire (network byte order), for <see cref="BpfLog"/> holes.</summary>
/// <param name="networkOrder">The address as read from a packet or socket (first octet in the lowest byte).</param>
[StructLayout(LayoutKind.Sequential, Size = 4)]
public struct Ipv4Address(uint networkOrder)
{
    /// <summary>The address in network byte order.</summary>
    public uint NetworkOrder = networkOrder;
}

/// <summary>An IPv6 address (16 bytes in network order), for <see cref="BpfLog"/> holes.</summary>
[StructLayout(LayoutKind.Sequential, Size = 16)]
public unsafe struct Ipv6Address
{
    /// <summary>The 16 bytes, first on the wire first.</summary>
    public fixed byte Bytes[16];
}

/// <summary>An Ethernet MAC address (6 bytes), for <see cref="BpfLog"/> holes.</summary>
[StructLayout(LayoutKind.Sequential, Size = 6)]
public unsafe struct MacAddress
{
    /// <summary>The 6 bytes, first on the wire first.</summary>
    public fixed byte Bytes[6];
}
