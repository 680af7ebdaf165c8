// The BPF half of tcpconnect, in C#: bcc's tool probes tcp_v4_connect/tcp_v6_connect; kernels without kprobes (or
// that refuse fentry) still have the sock/inet_sock_set_state tracepoint, and the CLOSE -> SYN_SENT transition runs
// inside connect(), in the connecting task, once the addresses and the destination port are set (the source port
// is chosen after it). Each attempt becomes a record in the ring buffer, or a count per address pair and port (-c).
using BpfSharp.Kernel;
using ToolShared;

namespace TcpConnect;

/// <summary>The record sent to user space: addresses in network order (IPv4 in the first 4 bytes).</summary>
public unsafe struct ConnectEvent
{
    public fixed byte Saddr[16];
    public fixed byte Daddr[16];
    public ulong TimestampUs;
    public uint Pid;
    public uint Uid;
    public ushort Family;
    /// <summary>Destination port, network order.</summary>
    public ushort Dport;
    public fixed byte Comm[Probes.TaskCommLength];
}

/// <summary>The key of the IPv4 counts (-c).</summary>
public struct Ipv4FlowKey
{
    public uint Saddr;
    public uint Daddr;
    public ushort Dport;
    public ushort Padding;
}

/// <summary>The key of the IPv6 counts (-c).</summary>
public unsafe struct Ipv6FlowKey
{
    public fixed byte Saddr[16];
    public fixed byte Daddr[16];
    public ushort Dport;
    public ushort Padding;
}

/// <summary>The sock_common fields tcpconnect reads (found by name at load time).</summary>
[Relocatable("sock_common")]
public unsafe struct SockCommon
{
    [Anonymous] public AddressPair anon1;
    [Anonymous] public PortPair anon3;
    public ushort skc_family;
    public In6Addr skc_v6_daddr;
    public In6Addr skc_v6_rcv_saddr;

    [Relocatable, Anonymous]
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit)]
    public struct AddressPair
    {
        [System.Runtime.InteropServices.FieldOffset(0), Anonymous] public Addresses anon1;

        [Relocatable, Anonymous]
        public struct Addresses
        {
            public uint skc_daddr;
            public uint skc_rcv_saddr;
        }
    }

    [Relocatable, Anonymous]
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit)]
    public struct PortPair
    {
        [System.Runtime.InteropServices.FieldOffset(0), Anonymous] public Ports anon1;

        [Relocatable, Anonymous]
        public struct Ports
        {
            public ushort skc_dport;
            public ushort skc_num;
        }
    }

    [System.Diagnostics.CodeAnalysis.UnscopedRef] public ref uint skc_daddr => ref anon1.anon1.skc_daddr;
    [System.Diagnostics.CodeAnalysis.UnscopedRef] public ref uint skc_rcv_saddr => ref anon1.anon1.skc_rcv_saddr;
    [System.Diagnostics.CodeAnalysis.UnscopedRef] public ref ushort skc_dport => ref anon3.anon1.skc_dport;
}

[Relocatable("sock")]
public struct Sock
{
    public SockCommon __sk_common;
    public ushort sk_protocol;
}

public static unsafe class Probes
{
    public const int TaskCommLength = 16;
    public const ushort AfInet = 2;
    public const ushort AfInet6 = 10;
    private const int TcpSynSent = 2;
    private const ushort IpProtoTcp = 6;

    /// <summary>Only this process (0: all).</summary>
    public static readonly uint TargetPid;
    /// <summary>Only this user (uint.MaxValue: all).</summary>
    public static readonly uint TargetUid = uint.MaxValue;
    /// <summary>Only this address family (0: both).</summary>
    public static readonly ushort TargetFamily;
    /// <summary>Only destination ports in <see cref="Ports"/>.</summary>
    public static readonly bool FilterPorts;
    /// <summary>Count per address pair and port instead of sending records.</summary>
    public static readonly bool DoCount;

    /// <summary>The destination ports to trace (-P), network order.</summary>
    public static readonly HashMap<ushort, byte> Ports = new(maxEntries: 64);
    public static readonly HashMap<Ipv4FlowKey, ulong> Ipv4Counts = new(maxEntries: 8192);
    public static readonly HashMap<Ipv6FlowKey, ulong> Ipv6Counts = new(maxEntries: 8192);
    public static readonly RingBuffer ConnectEvents = new(size: 256 * 1024);

    [TpBtf("inet_sock_set_state")]
    public static int HandleStateChange(ulong* ctx)
    {
        // inet_sock_set_state(const struct sock *sk, int oldstate, int newstate)
        if ((int)ctx[2] != TcpSynSent) return 0;
        var sk = (Sock*)ctx[0];
        if (sk->sk_protocol != IpProtoTcp) return 0;
        var family = sk->__sk_common.skc_family;
        if (family != AfInet && family != AfInet6) return 0;
        if (TargetFamily != 0 && family != TargetFamily) return 0;

        var pidTgid = Bpf.GetCurrentPidTgid();
        var pid = (uint)(pidTgid >> 32);
        if (TargetPid != 0 && pid != TargetPid) return 0;
        var uid = (uint)Bpf.GetCurrentUidGid();
        if (TargetUid != uint.MaxValue && uid != TargetUid) return 0;

        var dport = sk->__sk_common.skc_dport;
        if (FilterPorts && Ports.Lookup(dport) == null) return 0;

        if (DoCount)
        {
            if (family == AfInet) CountIpv4(sk, dport);
            else CountIpv6(sk, dport);
            return 0;
        }

        var e = ConnectEvents.Reserve<ConnectEvent>();
        if (e == null) return 0;
        e->Family = family;
        e->Pid = pid;
        e->Uid = uid;
        e->TimestampUs = Bpf.KtimeGetNs() / 1000;
        e->Dport = dport;
        if (family == AfInet)
        {
            *(uint*)e->Saddr = sk->__sk_common.skc_rcv_saddr;
            *(uint*)e->Daddr = sk->__sk_common.skc_daddr;
        }
        else
        {
            Bpf.ProbeReadKernel(e->Saddr, 16, sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr32);
            Bpf.ProbeReadKernel(e->Daddr, 16, sk->__sk_common.skc_v6_daddr.in6_u.u6_addr32);
        }
        Bpf.GetCurrentComm(e->Comm, TaskCommLength);
        ConnectEvents.Submit(e);
        return 0;
    }

    private static void CountIpv4(Sock* sk, ushort dport)
    {
        Ipv4FlowKey key = default;
        key.Saddr = sk->__sk_common.skc_rcv_saddr;
        key.Daddr = sk->__sk_common.skc_daddr;
        key.Dport = dport;
        var count = Ipv4Counts.Lookup(key);
        if (count != null) Interlocked.Increment(ref *count);
        else Ipv4Counts.Update(key, 1, UpdateFlags.NoExist);
    }

    private static void CountIpv6(Sock* sk, ushort dport)
    {
        Ipv6FlowKey key = default;
        Bpf.ProbeReadKernel(key.Saddr, 16, sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr32);
        Bpf.ProbeReadKernel(key.Daddr, 16, sk->__sk_common.skc_v6_daddr.in6_u.u6_addr32);
        key.Dport = dport;
        var count = Ipv6Counts.Lookup(key);
        if (count != null) Interlocked.Increment(ref *count);
        else Ipv6Counts.Update(key, 1, UpdateFlags.NoExist);
    }
}
