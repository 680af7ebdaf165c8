using System.Runtime.InteropServices;

namespace BpfSharp.Kernel;

/// <summary>
/// <c>struct sk_msg_md</c>, the context of sk_msg programs: a message a socket in a sockmap or sockhash is sending.
/// Return <see cref="SkAction.Pass"/> to send it, <see cref="SkAction.Drop"/> to drop it, or the result of a
/// redirect helper (<see cref="SockMap.RedirectMessage"/>, <see cref="SockHash{TKey}.RedirectMessage"/>).
/// </summary>
[BtfName("sk_msg_md")]
[StructLayout(LayoutKind.Sequential)]
public unsafe struct SkMsgMd
{
    /// <summary>The start of the message data the program may read (<c>data</c>), as an 8-byte slot.</summary>
    [BtfName("data")] public ulong Data;
    /// <summary>The end of that data (<c>data_end</c>), as an 8-byte slot.</summary>
    [BtfName("data_end")] public ulong DataEnd;
    /// <summary>The address family (<c>family</c>).</summary>
    [BtfName("family")] public uint Family;
    /// <summary>The remote IPv4 address, network byte order (<c>remote_ip4</c>).</summary>
    [BtfName("remote_ip4")] public uint RemoteIp4;
    /// <summary>The local IPv4 address, network byte order (<c>local_ip4</c>).</summary>
    [BtfName("local_ip4")] public uint LocalIp4;
    /// <summary>The remote IPv6 address (<c>remote_ip6[4]</c>).</summary>
    [BtfName("remote_ip6")] public fixed uint RemoteIp6[4];
    /// <summary>The local IPv6 address (<c>local_ip6[4]</c>).</summary>
    [BtfName("local_ip6")] public fixed uint LocalIp6[4];
    /// <summary>The remote port, network byte order (<c>remote_port</c>).</summary>
    [BtfName("remote_port")] public uint RemotePort;
    /// <summary>The local port, host byte order (<c>local_port</c>).</summary>
    [BtfName("local_port")] public uint LocalPort;
    /// <summary>The whole message's size in bytes (<c>size</c>).</summary>
    [BtfName("size")] public uint Size;
    /// <summary>The <c>struct bpf_sock *</c> (<c>sk</c>), as an 8-byte slot.</summary>
    [BtfName("sk")] public ulong Sk;

    /// <summary><see cref="Data"/> as a pointer.</summary>
    public readonly byte* DataPointer => (byte*)Data;

    /// <summary><see cref="DataEnd"/> as a pointer.</summary>
    public readonly byte* DataEndPointer => (byte*)DataEnd;
}

/// <summary>The verdicts of sk_msg and sk_skb programs (<c>SK_DROP</c>, <c>SK_PASS</c>).</summary>
public static class SkAction
{
    /// <summary><c>SK_DROP</c>.</summary>
    public const int Drop = 0;
    /// <summary><c>SK_PASS</c>.</summary>
    public const int Pass = 1;
}

/// <summary>
/// <c>struct bpf_sk_lookup</c>, the context of sk_lookup programs: run when the network namespace looks up a
/// listening (TCP) or unconnected (UDP) socket for a new packet; <see cref="Bpf.SkAssign"/> picks the socket.
/// Return <see cref="SkAction.Pass"/> to go on (with the assigned socket, or the regular lookup) or
/// <see cref="SkAction.Drop"/> to refuse.
/// </summary>
[BtfName("bpf_sk_lookup")]
[StructLayout(LayoutKind.Sequential)]
public unsafe struct SkLookup
{
    /// <summary>The socket selected so far (<c>sk</c>), as an 8-byte slot shared with <c>cookie</c>.</summary>
    [BtfName("sk")] public ulong Sk;
    /// <summary>The address family (<c>family</c>).</summary>
    [BtfName("family")] public uint Family;
    /// <summary>The IP protocol, <c>IPPROTO_TCP</c> or <c>IPPROTO_UDP</c> (<c>protocol</c>).</summary>
    [BtfName("protocol")] public uint Protocol;
    /// <summary>The remote IPv4 address, network byte order (<c>remote_ip4</c>).</summary>
    [BtfName("remote_ip4")] public uint RemoteIp4;
    /// <summary>The remote IPv6 address (<c>remote_ip6[4]</c>).</summary>
    [BtfName("remote_ip6")] public fixed uint RemoteIp6[4];
    /// <summary>The remote port, network byte order (<c>remote_port</c>, a <c>__be16</c>).</summary>
    [BtfName("remote_port")] public ushort RemotePort;
    /// <summary>The local IPv4 address, network byte order (<c>local_ip4</c>).</summary>
    [BtfName("local_ip4")] public uint LocalIp4;
    /// <summary>The local IPv6 address (<c>local_ip6[4]</c>).</summary>
    [BtfName("local_ip6")] public fixed uint LocalIp6[4];
    /// <summary>The local (destination) port, host byte order (<c>local_port</c>).</summary>
    [BtfName("local_port")] public uint LocalPort;
    /// <summary>The receiving device (<c>ingress_ifindex</c>).</summary>
    [BtfName("ingress_ifindex")] public uint IngressIfindex;
}
