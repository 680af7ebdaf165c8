using System.Runtime.InteropServices;

namespace BpfSharp.Kernel;

/// <summary>
/// <c>struct __sk_buff</c>, the context of tc, socket filter, cgroup_skb and other socket-buffer programs: a stable
/// view of the kernel's <c>struct sk_buff</c> whose every access the verifier rewrites. Which fields a program may
/// read or write depends on its type. <see cref="Data"/>/<see cref="DataEnd"/> are packet pointers where direct
/// packet access is allowed; <see cref="FlowKeys"/> and <see cref="Sk"/> are 8-byte pointer slots (C's
/// <c>__bpf_md_ptr</c> unions).
/// </summary>
[BtfName("__sk_buff")]
[StructLayout(LayoutKind.Sequential)]
public unsafe struct SkBuff
{
    /// <summary>The packet length (<c>len</c>).</summary>
    [BtfName("len")] public uint Len;
    /// <summary>The packet type, <c>PACKET_HOST</c> etc. (<c>pkt_type</c>).</summary>
    [BtfName("pkt_type")] public uint PktType;
    /// <summary>The firewall mark (<c>mark</c>).</summary>
    [BtfName("mark")] public uint Mark;
    /// <summary>The transmit queue (<c>queue_mapping</c>).</summary>
    [BtfName("queue_mapping")] public uint QueueMapping;
    /// <summary>The L3 protocol in network byte order, <c>ETH_P_IP</c> etc. (<c>protocol</c>).</summary>
    [BtfName("protocol")] public uint Protocol;
    /// <summary>Whether a VLAN tag is present in metadata (<c>vlan_present</c>).</summary>
    [BtfName("vlan_present")] public uint VlanPresent;
    /// <summary>The VLAN tag control information (<c>vlan_tci</c>).</summary>
    [BtfName("vlan_tci")] public uint VlanTci;
    /// <summary>The VLAN protocol (<c>vlan_proto</c>).</summary>
    [BtfName("vlan_proto")] public uint VlanProto;
    /// <summary>The queueing priority (<c>priority</c>).</summary>
    [BtfName("priority")] public uint Priority;
    /// <summary>The receiving device (<c>ingress_ifindex</c>).</summary>
    [BtfName("ingress_ifindex")] public uint IngressIfindex;
    /// <summary>The current device (<c>ifindex</c>).</summary>
    [BtfName("ifindex")] public uint Ifindex;
    /// <summary>The traffic control index (<c>tc_index</c>).</summary>
    [BtfName("tc_index")] public uint TcIndex;
    /// <summary>Scratch space shared by programs handling the same packet (<c>cb[5]</c>).</summary>
    [BtfName("cb")] public fixed uint Cb[5];
    /// <summary>The flow hash (<c>hash</c>).</summary>
    [BtfName("hash")] public uint Hash;
    /// <summary>The tc class id (<c>tc_classid</c>).</summary>
    [BtfName("tc_classid")] public uint TcClassid;
    /// <summary>The start of the linear packet data (<c>data</c>).</summary>
    [BtfName("data")] public uint Data;
    /// <summary>The end of the linear packet data (<c>data_end</c>).</summary>
    [BtfName("data_end")] public uint DataEnd;
    /// <summary>The NAPI id of the receive path (<c>napi_id</c>).</summary>
    [BtfName("napi_id")] public uint NapiId;
    /// <summary>The socket's address family (<c>family</c>).</summary>
    [BtfName("family")] public uint Family;
    /// <summary>The remote IPv4 address, network byte order (<c>remote_ip4</c>).</summary>
    [BtfName("remote_ip4")] public uint RemoteIp4;
    /// <summary>The local IPv4 address, network byte order (<c>local_ip4</c>).</summary>
    [BtfName("local_ip4")] public uint LocalIp4;
    /// <summary>The remote IPv6 address, network byte order (<c>remote_ip6[4]</c>).</summary>
    [BtfName("remote_ip6")] public fixed uint RemoteIp6[4];
    /// <summary>The local IPv6 address, network byte order (<c>local_ip6[4]</c>).</summary>
    [BtfName("local_ip6")] public fixed uint LocalIp6[4];
    /// <summary>The remote port, network byte order (<c>remote_port</c>).</summary>
    [BtfName("remote_port")] public uint RemotePort;
    /// <summary>The local port, host byte order (<c>local_port</c>).</summary>
    [BtfName("local_port")] public uint LocalPort;
    /// <summary>The start of the metadata in front of the packet (<c>data_meta</c>).</summary>
    [BtfName("data_meta")] public uint DataMeta;
    /// <summary>The <c>struct bpf_flow_keys *</c> of flow dissector programs (<c>flow_keys</c>), as an 8-byte slot.</summary>
    [BtfName("flow_keys")] public ulong FlowKeys;
    /// <summary>The timestamp (<c>tstamp</c>).</summary>
    [BtfName("tstamp")] public ulong Tstamp;
    /// <summary>The length on the wire (<c>wire_len</c>).</summary>
    [BtfName("wire_len")] public uint WireLen;
    /// <summary>The GSO segment count (<c>gso_segs</c>).</summary>
    [BtfName("gso_segs")] public uint GsoSegs;
    /// <summary>The <c>struct bpf_sock *</c> of the packet (<c>sk</c>), as an 8-byte slot; may be null.</summary>
    [BtfName("sk")] public ulong Sk;
    /// <summary>The GSO segment size (<c>gso_size</c>).</summary>
    [BtfName("gso_size")] public uint GsoSize;
    /// <summary>The clock of <see cref="Tstamp"/> (<c>tstamp_type</c>).</summary>
    [BtfName("tstamp_type")] public byte TstampType;
    /// <summary>The hardware timestamp (<c>hwtstamp</c>).</summary>
    [BtfName("hwtstamp")] public ulong Hwtstamp;

    /// <summary><see cref="Data"/> as a pointer (C's <c>(void *)(long)skb->data</c>).</summary>
    public readonly byte* DataPointer => (byte*)Data;

    /// <summary><see cref="DataEnd"/> as a pointer.</summary>
    public readonly byte* DataEndPointer => (byte*)DataEnd;
}
