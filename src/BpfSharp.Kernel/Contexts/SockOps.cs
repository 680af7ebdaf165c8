using System.Runtime.InteropServices;

namespace BpfSharp.Kernel;

/// <summary>
/// <c>struct bpf_sock_ops</c>, the context of sockops programs: called at TCP events (<see cref="Op"/>, one of the
/// <c>BPF_SOCK_OPS_*</c> values in <see cref="SockOpsOp"/>) for sockets in the cgroup. <see cref="Args"/> shares its
/// slot with <c>reply</c> and <c>replylong</c>: write <c>Args[0]</c> to set the reply.
/// </summary>
[BtfName("bpf_sock_ops")]
[StructLayout(LayoutKind.Sequential)]
public unsafe struct SockOps
{
    /// <summary>The event, a <see cref="SockOpsOp"/> value (<c>op</c>).</summary>
    [BtfName("op")] public uint Op;
    /// <summary>The event's arguments; also the reply (<c>args[4]</c>, in a union with <c>reply</c> and <c>replylong</c>).</summary>
    [BtfName("args")] public fixed uint Args[4];
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
    /// <summary>Nonzero when the socket is a full socket, so the TCP fields below are valid (<c>is_fullsock</c>).</summary>
    [BtfName("is_fullsock")] public uint IsFullsock;
    /// <summary>The congestion window (<c>snd_cwnd</c>).</summary>
    [BtfName("snd_cwnd")] public uint SndCwnd;
    /// <summary>The smoothed RTT in µs, shifted left by 3 (<c>srtt_us</c>).</summary>
    [BtfName("srtt_us")] public uint SrttUs;
    /// <summary>The enabled callbacks, <c>BPF_SOCK_OPS_*_CB_FLAG</c> (<c>bpf_sock_ops_cb_flags</c>).</summary>
    [BtfName("bpf_sock_ops_cb_flags")] public uint BpfSockOpsCbFlags;
    /// <summary>The TCP state (<c>state</c>).</summary>
    [BtfName("state")] public uint State;
    /// <summary>The minimum RTT (<c>rtt_min</c>).</summary>
    [BtfName("rtt_min")] public uint RttMin;
    /// <summary>The slow-start threshold (<c>snd_ssthresh</c>).</summary>
    [BtfName("snd_ssthresh")] public uint SndSsthresh;
    /// <summary>The next expected receive sequence number (<c>rcv_nxt</c>).</summary>
    [BtfName("rcv_nxt")] public uint RcvNxt;
    /// <summary>The next send sequence number (<c>snd_nxt</c>).</summary>
    [BtfName("snd_nxt")] public uint SndNxt;
    /// <summary>The first unacknowledged sequence number (<c>snd_una</c>).</summary>
    [BtfName("snd_una")] public uint SndUna;
    /// <summary>The cached MSS (<c>mss_cache</c>).</summary>
    [BtfName("mss_cache")] public uint MssCache;
    /// <summary>The ECN flags (<c>ecn_flags</c>).</summary>
    [BtfName("ecn_flags")] public uint EcnFlags;
    /// <summary>Delivered packets in the rate sample (<c>rate_delivered</c>).</summary>
    [BtfName("rate_delivered")] public uint RateDelivered;
    /// <summary>The rate sample interval (<c>rate_interval_us</c>).</summary>
    [BtfName("rate_interval_us")] public uint RateIntervalUs;
    /// <summary>Packets in flight (<c>packets_out</c>).</summary>
    [BtfName("packets_out")] public uint PacketsOut;
    /// <summary>Retransmitted packets in flight (<c>retrans_out</c>).</summary>
    [BtfName("retrans_out")] public uint RetransOut;
    /// <summary>All retransmissions (<c>total_retrans</c>).</summary>
    [BtfName("total_retrans")] public uint TotalRetrans;
    /// <summary>Segments received (<c>segs_in</c>).</summary>
    [BtfName("segs_in")] public uint SegsIn;
    /// <summary>Data segments received (<c>data_segs_in</c>).</summary>
    [BtfName("data_segs_in")] public uint DataSegsIn;
    /// <summary>Segments sent (<c>segs_out</c>).</summary>
    [BtfName("segs_out")] public uint SegsOut;
    /// <summary>Data segments sent (<c>data_segs_out</c>).</summary>
    [BtfName("data_segs_out")] public uint DataSegsOut;
    /// <summary>Lost packets (<c>lost_out</c>).</summary>
    [BtfName("lost_out")] public uint LostOut;
    /// <summary>SACKed packets (<c>sacked_out</c>).</summary>
    [BtfName("sacked_out")] public uint SackedOut;
    /// <summary>The transmit hash (<c>sk_txhash</c>).</summary>
    [BtfName("sk_txhash")] public uint SkTxhash;
    /// <summary>Bytes received (<c>bytes_received</c>).</summary>
    [BtfName("bytes_received")] public ulong BytesReceived;
    /// <summary>Bytes acknowledged (<c>bytes_acked</c>).</summary>
    [BtfName("bytes_acked")] public ulong BytesAcked;
    /// <summary>The <c>struct bpf_sock *</c> (<c>sk</c>), as an 8-byte slot.</summary>
    [BtfName("sk")] public ulong Sk;
    /// <summary>The start of the packet in header callbacks (<c>skb_data</c>), as an 8-byte slot.</summary>
    [BtfName("skb_data")] public ulong SkbData;
    /// <summary>The end of that packet (<c>skb_data_end</c>), as an 8-byte slot.</summary>
    [BtfName("skb_data_end")] public ulong SkbDataEnd;
    /// <summary>The packet length (<c>skb_len</c>).</summary>
    [BtfName("skb_len")] public uint SkbLen;
    /// <summary>The TCP flags of the packet (<c>skb_tcp_flags</c>).</summary>
    [BtfName("skb_tcp_flags")] public uint SkbTcpFlags;
    /// <summary>The packet's hardware timestamp (<c>skb_hwtstamp</c>).</summary>
    [BtfName("skb_hwtstamp")] public ulong SkbHwtstamp;
}

/// <summary>The <c>BPF_SOCK_OPS_*</c> events a sockops program sees in <see cref="SockOps.Op"/>.</summary>
public enum SockOpsOp : uint
{
    /// <summary><c>BPF_SOCK_OPS_VOID</c>.</summary>
    Void = 0,
    /// <summary><c>BPF_SOCK_OPS_TIMEOUT_INIT</c>: reply with the SYN RTO.</summary>
    TimeoutInit = 1,
    /// <summary><c>BPF_SOCK_OPS_RWND_INIT</c>: reply with the initial advertised window.</summary>
    RwndInit = 2,
    /// <summary><c>BPF_SOCK_OPS_TCP_CONNECT_CB</c>: an active connection is being set up.</summary>
    TcpConnect = 3,
    /// <summary><c>BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB</c>: an active (connecting) socket is established.</summary>
    ActiveEstablished = 4,
    /// <summary><c>BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB</c>: a passive (accepted) socket is established.</summary>
    PassiveEstablished = 5,
    /// <summary><c>BPF_SOCK_OPS_NEEDS_ECN</c>.</summary>
    NeedsEcn = 6,
    /// <summary><c>BPF_SOCK_OPS_BASE_RTT</c>.</summary>
    BaseRtt = 7,
    /// <summary><c>BPF_SOCK_OPS_RTO_CB</c> (needs the RTO callback flag).</summary>
    Rto = 8,
    /// <summary><c>BPF_SOCK_OPS_RETRANS_CB</c> (needs the retransmit callback flag).</summary>
    Retrans = 9,
    /// <summary><c>BPF_SOCK_OPS_STATE_CB</c> (needs the state callback flag).</summary>
    State = 10,
    /// <summary><c>BPF_SOCK_OPS_TCP_LISTEN_CB</c>: listen() was called.</summary>
    TcpListen = 11,
    /// <summary><c>BPF_SOCK_OPS_RTT_CB</c> (needs the RTT callback flag).</summary>
    Rtt = 12,
}
