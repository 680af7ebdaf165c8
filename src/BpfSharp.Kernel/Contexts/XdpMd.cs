using System.Runtime.InteropServices;

namespace BpfSharp.Kernel;

/// <summary>
/// <c>struct xdp_md</c>, the context of XDP programs. The verifier rewrites each field access; <see cref="Data"/>,
/// <see cref="DataEnd"/> and <see cref="DataMeta"/> become packet pointers (use <see cref="DataPointer"/> and
/// <see cref="DataEndPointer"/>, and compare against the end before every packet access).
/// </summary>
[BtfName("xdp_md")]
[StructLayout(LayoutKind.Sequential)]
public unsafe struct XdpMd
{
    /// <summary>The start of the packet data (<c>data</c>).</summary>
    [BtfName("data")] public uint Data;
    /// <summary>The end of the packet data (<c>data_end</c>).</summary>
    [BtfName("data_end")] public uint DataEnd;
    /// <summary>The start of the metadata area in front of the packet (<c>data_meta</c>).</summary>
    [BtfName("data_meta")] public uint DataMeta;
    /// <summary>The receiving device (<c>ingress_ifindex</c>).</summary>
    [BtfName("ingress_ifindex")] public uint IngressIfindex;
    /// <summary>The receive queue (<c>rx_queue_index</c>).</summary>
    [BtfName("rx_queue_index")] public uint RxQueueIndex;
    /// <summary>The transmitting device, in devmap programs (<c>egress_ifindex</c>).</summary>
    [BtfName("egress_ifindex")] public uint EgressIfindex;

    /// <summary><see cref="Data"/> as a pointer (C's <c>(void *)(long)ctx->data</c>).</summary>
    public readonly byte* DataPointer => (byte*)Data;

    /// <summary><see cref="DataEnd"/> as a pointer.</summary>
    public readonly byte* DataEndPointer => (byte*)DataEnd;

    /// <summary><see cref="DataMeta"/> as a pointer.</summary>
    public readonly byte* DataMetaPointer => (byte*)DataMeta;
}
