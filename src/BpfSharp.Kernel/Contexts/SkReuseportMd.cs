using System.Runtime.InteropServices;

namespace BpfSharp.Kernel;

/// <summary>
/// <c>struct sk_reuseport_md</c>, the context of sk_reuseport programs: run when a packet or connection arrives for a
/// group of sockets bound with <c>SO_REUSEPORT</c> to the same address. <see cref="ReuseportSockArray.Select"/> picks
/// the socket; return <see cref="SkAction.Pass"/> to use it (or, with none selected, the kernel's hash choice) and
/// <see cref="SkAction.Drop"/> to drop the packet.
/// </summary>
[BtfName("sk_reuseport_md")]
[StructLayout(LayoutKind.Sequential)]
public unsafe struct SkReuseportMd
{
    /// <summary>The start of the packet's headers the program may read (<c>data</c>), as an 8-byte slot.</summary>
    [BtfName("data")] public ulong Data;
    /// <summary>The end of that data (<c>data_end</c>), as an 8-byte slot.</summary>
    [BtfName("data_end")] public ulong DataEnd;
    /// <summary>The packet's length (<c>len</c>).</summary>
    [BtfName("len")] public uint Len;
    /// <summary>The link-layer protocol, network byte order (<c>eth_protocol</c>).</summary>
    [BtfName("eth_protocol")] public uint EthProtocol;
    /// <summary>The IP protocol, <c>IPPROTO_TCP</c> or <c>IPPROTO_UDP</c> (<c>ip_protocol</c>).</summary>
    [BtfName("ip_protocol")] public uint IpProtocol;
    /// <summary>1 when the group is bound to the any-address (<c>bind_inany</c>).</summary>
    [BtfName("bind_inany")] public uint BindInany;
    /// <summary>The flow hash the kernel would select by (<c>hash</c>).</summary>
    [BtfName("hash")] public uint Hash;
    /// <summary>The <c>struct bpf_sock *</c> of the group's first socket (<c>sk</c>, 5.14+), as an 8-byte slot.</summary>
    [BtfName("sk")] public ulong Sk;
    /// <summary>
    /// The socket whose connection is being migrated (<c>migrating_sk</c>, 5.14+), as an 8-byte slot: null when
    /// selecting for a new packet, set in <c>sk_reuseport/migrate</c> programs when a listener closes.
    /// </summary>
    [BtfName("migrating_sk")] public ulong MigratingSk;

    /// <summary><see cref="Data"/> as a pointer.</summary>
    public readonly byte* DataPointer => (byte*)Data;

    /// <summary><see cref="DataEnd"/> as a pointer.</summary>
    public readonly byte* DataEndPointer => (byte*)DataEnd;
}
