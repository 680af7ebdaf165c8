using System.Runtime.InteropServices;

namespace BpfSharp.Kernel;

/// <summary>
/// <c>struct bpf_sock_addr</c>, the context of cgroup sock_addr programs (bind, connect, sendmsg, recvmsg,
/// getpeername, getsockname for IPv4, IPv6 and unix sockets). The <c>user_*</c> fields are the address the
/// system call passed; a connect or sendmsg program may rewrite them to send the socket elsewhere. Return 1 to
/// allow the call, 0 to fail it with <c>EPERM</c>.
/// </summary>
[BtfName("bpf_sock_addr")]
[StructLayout(LayoutKind.Sequential)]
public unsafe struct SockAddr
{
    /// <summary>The address family of the system call's address (<c>user_family</c>).</summary>
    [BtfName("user_family")] public uint UserFamily;
    /// <summary>The IPv4 address, network byte order (<c>user_ip4</c>); writable in bind, connect and sendmsg.</summary>
    [BtfName("user_ip4")] public uint UserIp4;
    /// <summary>The IPv6 address, network byte order (<c>user_ip6[4]</c>).</summary>
    [BtfName("user_ip6")] public fixed uint UserIp6[4];
    /// <summary>The port, network byte order in the low 16 bits (<c>user_port</c>).</summary>
    [BtfName("user_port")] public uint UserPort;
    /// <summary>The socket's address family (<c>family</c>).</summary>
    [BtfName("family")] public uint Family;
    /// <summary>The socket type, <c>SOCK_STREAM</c> etc. (<c>type</c>).</summary>
    [BtfName("type")] public uint Type;
    /// <summary>The socket protocol (<c>protocol</c>).</summary>
    [BtfName("protocol")] public uint Protocol;
    /// <summary>The IPv4 source address of a UDP sendmsg, network byte order (<c>msg_src_ip4</c>).</summary>
    [BtfName("msg_src_ip4")] public uint MsgSrcIp4;
    /// <summary>The IPv6 source address of a UDP sendmsg (<c>msg_src_ip6[4]</c>).</summary>
    [BtfName("msg_src_ip6")] public fixed uint MsgSrcIp6[4];
    /// <summary>The <c>struct bpf_sock *</c> of the socket (<c>sk</c>), as an 8-byte slot.</summary>
    [BtfName("sk")] public ulong Sk;
}

/// <summary>
/// <c>struct bpf_sock</c>, the context of cgroup sock programs (sock_create, sock_release, post_bind4/6) and the
/// socket other contexts point to. Ports: <see cref="SrcPort"/> is in host order, <see cref="DstPort"/> in network
/// order.
/// </summary>
[BtfName("bpf_sock")]
[StructLayout(LayoutKind.Sequential)]
public unsafe struct BpfSock
{
    /// <summary>The device the socket is bound to (<c>bound_dev_if</c>); writable in sock_create.</summary>
    [BtfName("bound_dev_if")] public uint BoundDevIf;
    /// <summary>The address family (<c>family</c>).</summary>
    [BtfName("family")] public uint Family;
    /// <summary>The socket type (<c>type</c>).</summary>
    [BtfName("type")] public uint Type;
    /// <summary>The protocol (<c>protocol</c>).</summary>
    [BtfName("protocol")] public uint Protocol;
    /// <summary>The socket mark (<c>mark</c>); writable in sock_create.</summary>
    [BtfName("mark")] public uint Mark;
    /// <summary>The socket priority (<c>priority</c>); writable in sock_create.</summary>
    [BtfName("priority")] public uint Priority;
    /// <summary>The bound IPv4 address, network byte order (<c>src_ip4</c>).</summary>
    [BtfName("src_ip4")] public uint SrcIp4;
    /// <summary>The bound IPv6 address (<c>src_ip6[4]</c>).</summary>
    [BtfName("src_ip6")] public fixed uint SrcIp6[4];
    /// <summary>The bound port, host byte order (<c>src_port</c>).</summary>
    [BtfName("src_port")] public uint SrcPort;
    /// <summary>The peer port, network byte order (<c>dst_port</c>, a <c>__be16</c>).</summary>
    [BtfName("dst_port")] public ushort DstPort;
    /// <summary>The peer IPv4 address, network byte order (<c>dst_ip4</c>).</summary>
    [BtfName("dst_ip4")] public uint DstIp4;
    /// <summary>The peer IPv6 address (<c>dst_ip6[4]</c>).</summary>
    [BtfName("dst_ip6")] public fixed uint DstIp6[4];
    /// <summary>The TCP state, <c>BPF_TCP_*</c> (<c>state</c>).</summary>
    [BtfName("state")] public uint State;
    /// <summary>The receive queue (<c>rx_queue_mapping</c>), -1 when unknown.</summary>
    [BtfName("rx_queue_mapping")] public int RxQueueMapping;
}
