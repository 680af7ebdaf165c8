namespace BpfSharp.Kernel;

public static unsafe partial class Bpf
{
    /// <summary><c>bpf_skb_load_bytes</c>: copies packet bytes (also from non-linear data) out of a socket buffer.</summary>
    /// <param name="skb">The <see cref="SkBuff"/> context.</param>
    /// <param name="offset">The packet offset.</param>
    /// <param name="to">The destination.</param>
    /// <param name="len">Bytes to copy.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(26)]
    public static long SkbLoadBytes(void* skb, uint offset, void* to, uint len) => throw new BpfOnlyException();

    /// <summary><c>bpf_skb_load_bytes_relative</c>: like <see cref="SkbLoadBytes"/> from the start of the network (0) or MAC (1) header.</summary>
    /// <param name="skb">The <see cref="SkBuff"/> context.</param>
    /// <param name="offset">The offset from the header.</param>
    /// <param name="to">The destination.</param>
    /// <param name="len">Bytes to copy.</param>
    /// <param name="startHeader"><c>BPF_HDR_START_MAC</c> (0) or <c>BPF_HDR_START_NET</c> (1).</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(68)]
    public static long SkbLoadBytesRelative(void* skb, uint offset, void* to, uint len, uint startHeader) => throw new BpfOnlyException();

    /// <summary><c>bpf_skb_store_bytes</c>: writes bytes into the packet.</summary>
    /// <param name="skb">The context.</param>
    /// <param name="offset">The packet offset.</param>
    /// <param name="from">The bytes.</param>
    /// <param name="len">Their length.</param>
    /// <param name="flags"><c>BPF_F_RECOMPUTE_CSUM</c> (1), <c>BPF_F_INVALIDATE_HASH</c> (2).</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(9)]
    public static long SkbStoreBytes(SkBuff* skb, uint offset, void* from, uint len, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_l3_csum_replace</c>: incrementally fixes an IP header checksum.</summary>
    /// <param name="skb">The context.</param>
    /// <param name="offset">The checksum's packet offset.</param>
    /// <param name="from">The old value.</param>
    /// <param name="to">The new value.</param>
    /// <param name="size">The size of the changed field (2 or 4), or 0 with <paramref name="to"/> as a precomputed diff.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(10)]
    public static long L3CsumReplace(SkBuff* skb, uint offset, ulong from, ulong to, ulong size) => throw new BpfOnlyException();

    /// <summary><c>bpf_l4_csum_replace</c>: incrementally fixes a TCP/UDP checksum.</summary>
    /// <param name="skb">The context.</param>
    /// <param name="offset">The checksum's packet offset.</param>
    /// <param name="from">The old value.</param>
    /// <param name="to">The new value.</param>
    /// <param name="flags">The field size in the low 4 bits, plus <c>BPF_F_PSEUDO_HDR</c> (16), <c>BPF_F_MARK_MANGLED_0</c> (32), <c>BPF_F_MARK_ENFORCE</c> (64).</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(11)]
    public static long L4CsumReplace(SkBuff* skb, uint offset, ulong from, ulong to, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_csum_diff</c>: the checksum difference between two buffers of 4-byte words.</summary>
    /// <param name="from">The old words, or null.</param>
    /// <param name="fromSize">Their size in bytes (a multiple of 4).</param>
    /// <param name="to">The new words, or null.</param>
    /// <param name="toSize">Their size in bytes (a multiple of 4).</param>
    /// <param name="seed">A checksum to add.</param>
    /// <returns>The checksum, or a negative errno.</returns>
    [BpfHelper(28)]
    public static long CsumDiff(uint* from, uint fromSize, uint* to, uint toSize, uint seed) => throw new BpfOnlyException();

    /// <summary><c>bpf_csum_update</c>: adds a checksum diff to <c>skb->csum</c> (CHECKSUM_COMPLETE).</summary>
    /// <param name="skb">The context.</param>
    /// <param name="csum">The diff.</param>
    /// <returns>The new checksum, or a negative errno.</returns>
    [BpfHelper(40)]
    public static long CsumUpdate(SkBuff* skb, uint csum) => throw new BpfOnlyException();

    /// <summary><c>bpf_csum_level</c>: queries or changes the <c>CHECKSUM_UNNECESSARY</c> level.</summary>
    /// <param name="skb">The context.</param>
    /// <param name="level"><c>BPF_CSUM_LEVEL_QUERY</c> (0), <c>INC</c> (1), <c>DEC</c> (2), <c>RESET</c> (3).</param>
    /// <returns>The level for a query, else 0, or a negative errno.</returns>
    [BpfHelper(135)]
    public static long CsumLevel(SkBuff* skb, ulong level) => throw new BpfOnlyException();

    /// <summary><c>bpf_clone_redirect</c>: sends a clone of the packet to another device.</summary>
    /// <param name="skb">The context.</param>
    /// <param name="ifindex">The target device.</param>
    /// <param name="flags"><c>BPF_F_INGRESS</c> (1) for the device's ingress path.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(13)]
    public static long CloneRedirect(SkBuff* skb, uint ifindex, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_redirect</c>: redirects the packet to another device once the program returns.</summary>
    /// <param name="ifindex">The target device.</param>
    /// <param name="flags"><c>BPF_F_INGRESS</c> (1) for the device's ingress path (tc only).</param>
    /// <returns><see cref="TcAction.Redirect"/> or <see cref="XdpAction.Redirect"/> on success, else the drop action.</returns>
    [BpfHelper(23)]
    public static long Redirect(uint ifindex, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_redirect_map</c>: redirects to the device, CPU or socket stored in a devmap, cpumap or xskmap.</summary>
    /// <param name="map">The map.</param>
    /// <param name="key">The slot.</param>
    /// <param name="flags">The action to return when the slot is empty (low 2 bits), plus <c>BPF_F_BROADCAST</c> / <c>BPF_F_EXCLUDE_INGRESS</c>.</param>
    /// <returns><see cref="XdpAction.Redirect"/> on success, else the fallback action from <paramref name="flags"/>.</returns>
    [BpfHelper(51)]
    public static long RedirectMap(KernelMap map, ulong key, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_redirect_neigh</c>: redirects to a device, filling in the L2 header from the neighbour table.</summary>
    /// <param name="ifindex">The target device.</param>
    /// <param name="params">A <c>struct bpf_redir_neigh</c>, or null to look up the next hop.</param>
    /// <param name="plen">The size of <paramref name="params"/>.</param>
    /// <param name="flags">Must be 0.</param>
    /// <returns><see cref="TcAction.Redirect"/> on success, else <see cref="TcAction.Shot"/>.</returns>
    [BpfHelper(152)]
    public static long RedirectNeigh(uint ifindex, void* @params, int plen, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_redirect_peer</c>: redirects to the peer of a veth/netkit device in another namespace (tc ingress).</summary>
    /// <param name="ifindex">The device whose peer receives the packet.</param>
    /// <param name="flags">Must be 0.</param>
    /// <returns><see cref="TcAction.Redirect"/> on success, else <see cref="TcAction.Shot"/>.</returns>
    [BpfHelper(155)]
    public static long RedirectPeer(uint ifindex, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_skb_vlan_push</c>: pushes a VLAN tag.</summary>
    /// <param name="skb">The context.</param>
    /// <param name="vlanProto">The tag protocol in network byte order (<c>ETH_P_8021Q</c> or <c>ETH_P_8021AD</c>).</param>
    /// <param name="vlanTci">The tag control information.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(18)]
    public static long SkbVlanPush(SkBuff* skb, ushort vlanProto, ushort vlanTci) => throw new BpfOnlyException();

    /// <summary><c>bpf_skb_vlan_pop</c>: removes the outer VLAN tag.</summary>
    /// <param name="skb">The context.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(19)]
    public static long SkbVlanPop(SkBuff* skb) => throw new BpfOnlyException();

    /// <summary><c>bpf_skb_get_tunnel_key</c>: the tunnel metadata of a packet received on a collect-metadata tunnel.</summary>
    /// <param name="skb">The context.</param>
    /// <param name="key">Receives a <c>struct bpf_tunnel_key</c>.</param>
    /// <param name="size">Its size.</param>
    /// <param name="flags"><c>BPF_F_TUNINFO_IPV6</c> (1), <c>BPF_F_TUNINFO_FLAGS</c> (16).</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(20)]
    public static long SkbGetTunnelKey(SkBuff* skb, void* key, uint size, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_skb_set_tunnel_key</c>: sets the tunnel metadata for a collect-metadata tunnel device.</summary>
    /// <param name="skb">The context.</param>
    /// <param name="key">A <c>struct bpf_tunnel_key</c>.</param>
    /// <param name="size">Its size.</param>
    /// <param name="flags">Tunnel flags (<c>BPF_F_TUNINFO_IPV6</c>, <c>BPF_F_ZERO_CSUM_TX</c>, …).</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(21)]
    public static long SkbSetTunnelKey(SkBuff* skb, void* key, uint size, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_get_cgroup_classid</c>: the net_cls class id of the packet's socket.</summary>
    /// <param name="skb">The context.</param>
    /// <returns>The class id, or 0.</returns>
    [BpfHelper(17)]
    public static uint GetCgroupClassid(SkBuff* skb) => throw new BpfOnlyException();

    /// <summary><c>bpf_get_route_realm</c>: the routing realm of the packet's destination.</summary>
    /// <param name="skb">The context.</param>
    /// <returns>The realm, or 0.</returns>
    [BpfHelper(24)]
    public static uint GetRouteRealm(SkBuff* skb) => throw new BpfOnlyException();

    /// <summary><c>bpf_get_hash_recalc</c>: the packet's flow hash, computed if missing.</summary>
    /// <param name="skb">The context.</param>
    /// <returns>The hash.</returns>
    [BpfHelper(34)]
    public static uint GetHashRecalc(SkBuff* skb) => throw new BpfOnlyException();

    /// <summary><c>bpf_set_hash_invalid</c>: marks the packet's flow hash as invalid.</summary>
    /// <param name="skb">The context.</param>
    [BpfHelper(41)]
    public static void SetHashInvalid(SkBuff* skb) => throw new BpfOnlyException();

    /// <summary><c>bpf_set_hash</c>: sets the packet's flow hash.</summary>
    /// <param name="skb">The context.</param>
    /// <param name="hash">The hash.</param>
    /// <returns>0.</returns>
    [BpfHelper(48)]
    public static long SetHash(SkBuff* skb, uint hash) => throw new BpfOnlyException();

    /// <summary><c>bpf_skb_change_proto</c>: converts between IPv4 and IPv6 (<c>ETH_P_IP</c> / <c>ETH_P_IPV6</c>), resizing headroom.</summary>
    /// <param name="skb">The context.</param>
    /// <param name="proto">The new protocol in network byte order.</param>
    /// <param name="flags">Must be 0.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(31)]
    public static long SkbChangeProto(SkBuff* skb, ushort proto, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_skb_change_type</c>: changes the packet type (<c>PACKET_HOST</c>, <c>PACKET_BROADCAST</c>, …).</summary>
    /// <param name="skb">The context.</param>
    /// <param name="type">The new type.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(32)]
    public static long SkbChangeType(SkBuff* skb, uint type) => throw new BpfOnlyException();

    /// <summary><c>bpf_skb_under_cgroup</c>: whether the packet's socket is under the cgroup stored in a cgroup array.</summary>
    /// <param name="skb">The context.</param>
    /// <param name="map">A <c>BPF_MAP_TYPE_CGROUP_ARRAY</c>.</param>
    /// <param name="index">The slot.</param>
    /// <returns>1 or 0, or a negative errno.</returns>
    [BpfHelper(33)]
    public static long SkbUnderCgroup(SkBuff* skb, KernelMap map, uint index) => throw new BpfOnlyException();

    /// <summary><c>bpf_skb_change_tail</c>: grows or trims the packet to <paramref name="len"/> bytes.</summary>
    /// <param name="skb">The context.</param>
    /// <param name="len">The new length.</param>
    /// <param name="flags">Must be 0.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(38)]
    public static long SkbChangeTail(SkBuff* skb, uint len, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_skb_change_head</c>: grows headroom by <paramref name="len"/> bytes.</summary>
    /// <param name="skb">The context.</param>
    /// <param name="len">Bytes to add in front.</param>
    /// <param name="flags">Must be 0.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(43)]
    public static long SkbChangeHead(SkBuff* skb, uint len, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_skb_pull_data</c>: makes the first <paramref name="len"/> bytes linear, readable through <c>data</c>/<c>data_end</c>.</summary>
    /// <param name="skb">The context.</param>
    /// <param name="len">Bytes to pull (0 for the whole linear head).</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(39)]
    public static long SkbPullData(SkBuff* skb, uint len) => throw new BpfOnlyException();

    /// <summary><c>bpf_skb_adjust_room</c>: grows or shrinks room at the network or MAC layer (for encapsulation).</summary>
    /// <param name="skb">The context.</param>
    /// <param name="lenDiff">Bytes to add (positive) or remove.</param>
    /// <param name="mode"><c>BPF_ADJ_ROOM_NET</c> (0) or <c>BPF_ADJ_ROOM_MAC</c> (1).</param>
    /// <param name="flags"><c>BPF_F_ADJ_ROOM_*</c> flags.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(50)]
    public static long SkbAdjustRoom(SkBuff* skb, int lenDiff, uint mode, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_skb_ecn_set_ce</c>: marks the packet's ECN field Congestion Experienced when ECN-capable.</summary>
    /// <param name="skb">The context.</param>
    /// <returns>1 if marked, else 0.</returns>
    [BpfHelper(97)]
    public static long SkbEcnSetCe(SkBuff* skb) => throw new BpfOnlyException();

    /// <summary><c>bpf_skb_cgroup_id</c>: the cgroup v2 id of the packet's socket.</summary>
    /// <param name="skb">The context.</param>
    /// <returns>The cgroup id, or 0.</returns>
    [BpfHelper(79)]
    public static ulong SkbCgroupId(SkBuff* skb) => throw new BpfOnlyException();

    /// <summary><c>bpf_skb_ancestor_cgroup_id</c>: the id of an ancestor of the packet socket's cgroup v2.</summary>
    /// <param name="skb">The context.</param>
    /// <param name="ancestorLevel">The ancestor's level (0 is the root).</param>
    /// <returns>The cgroup id, or 0.</returns>
    [BpfHelper(83)]
    public static ulong SkbAncestorCgroupId(SkBuff* skb, int ancestorLevel) => throw new BpfOnlyException();

    /// <summary><c>bpf_skb_set_tstamp</c>: sets the packet's delivery timestamp.</summary>
    /// <param name="skb">The context.</param>
    /// <param name="tstamp">The time.</param>
    /// <param name="tstampType">The clock (<c>BPF_SKB_CLOCK_*</c>).</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(192)]
    public static long SkbSetTstamp(SkBuff* skb, ulong tstamp, uint tstampType) => throw new BpfOnlyException();

    /// <summary><c>bpf_skb_output</c>: <see cref="PerfEventOutput"/> for BTF-typed socket-buffer programs.</summary>
    /// <param name="ctx">The context.</param>
    /// <param name="map">A <see cref="PerfEventArray"/>.</param>
    /// <param name="flags">The CPU index (or <see cref="PerfEventArray.CurrentCpu"/>) plus packet bytes to append in bits 32–63.</param>
    /// <param name="data">The record.</param>
    /// <param name="size">Its size.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(111)]
    public static long SkbOutput(void* ctx, KernelMap map, ulong flags, void* data, ulong size) => throw new BpfOnlyException();

    /// <summary><c>bpf_xdp_adjust_head</c>: moves <c>xdp_md->data</c> by <paramref name="delta"/> bytes (negative grows the packet in front).</summary>
    /// <param name="xdpMd">The context.</param>
    /// <param name="delta">The byte delta.</param>
    /// <returns>0, or a negative errno. Packet pointers must be reloaded afterwards.</returns>
    [BpfHelper(44)]
    public static long XdpAdjustHead(XdpMd* xdpMd, int delta) => throw new BpfOnlyException();

    /// <summary><c>bpf_xdp_adjust_tail</c>: moves <c>xdp_md->data_end</c> by <paramref name="delta"/> bytes.</summary>
    /// <param name="xdpMd">The context.</param>
    /// <param name="delta">The byte delta.</param>
    /// <returns>0, or a negative errno. Packet pointers must be reloaded afterwards.</returns>
    [BpfHelper(65)]
    public static long XdpAdjustTail(XdpMd* xdpMd, int delta) => throw new BpfOnlyException();

    /// <summary><c>bpf_xdp_adjust_meta</c>: moves <c>xdp_md->data_meta</c> by <paramref name="delta"/> bytes.</summary>
    /// <param name="xdpMd">The context.</param>
    /// <param name="delta">The byte delta.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(54)]
    public static long XdpAdjustMeta(XdpMd* xdpMd, int delta) => throw new BpfOnlyException();

    /// <summary><c>bpf_xdp_get_buff_len</c>: the total packet length including fragments.</summary>
    /// <param name="xdpMd">The context.</param>
    /// <returns>The length in bytes.</returns>
    [BpfHelper(188)]
    public static ulong XdpGetBuffLen(XdpMd* xdpMd) => throw new BpfOnlyException();

    /// <summary><c>bpf_xdp_load_bytes</c>: copies packet bytes (also from fragments).</summary>
    /// <param name="xdpMd">The context.</param>
    /// <param name="offset">The packet offset.</param>
    /// <param name="buf">The destination.</param>
    /// <param name="len">Bytes to copy.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(189)]
    public static long XdpLoadBytes(XdpMd* xdpMd, uint offset, void* buf, uint len) => throw new BpfOnlyException();

    /// <summary><c>bpf_xdp_store_bytes</c>: writes packet bytes (also into fragments).</summary>
    /// <param name="xdpMd">The context.</param>
    /// <param name="offset">The packet offset.</param>
    /// <param name="buf">The bytes.</param>
    /// <param name="len">Their length.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(190)]
    public static long XdpStoreBytes(XdpMd* xdpMd, uint offset, void* buf, uint len) => throw new BpfOnlyException();

    /// <summary><c>bpf_xdp_output</c>: <see cref="PerfEventOutput"/> for BTF-typed XDP programs.</summary>
    /// <param name="ctx">The context.</param>
    /// <param name="map">A <see cref="PerfEventArray"/>.</param>
    /// <param name="flags">The CPU index (or <see cref="PerfEventArray.CurrentCpu"/>) plus packet bytes to append in bits 32–63.</param>
    /// <param name="data">The record.</param>
    /// <param name="size">Its size.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(121)]
    public static long XdpOutput(void* ctx, KernelMap map, ulong flags, void* data, ulong size) => throw new BpfOnlyException();

    /// <summary><c>bpf_fib_lookup</c>: a forwarding-table lookup (<c>struct bpf_fib_lookup</c>).</summary>
    /// <param name="ctx">The XDP or tc context.</param>
    /// <param name="params">The lookup parameters, filled in with the result.</param>
    /// <param name="plen">Their size.</param>
    /// <param name="flags"><c>BPF_FIB_LOOKUP_*</c> flags.</param>
    /// <returns>A <c>BPF_FIB_LKUP_RET_*</c> code, or a negative errno.</returns>
    [BpfHelper(69)]
    public static long FibLookup(void* ctx, void* @params, int plen, uint flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_check_mtu</c>: whether a packet of the current size plus <paramref name="lenDiff"/> fits the device MTU.</summary>
    /// <param name="ctx">The XDP or tc context.</param>
    /// <param name="ifindex">The device (0 for the current one).</param>
    /// <param name="mtuLen">In: a length to check instead (with <c>BPF_MTU_CHK_SEGS</c> unset); out: the MTU.</param>
    /// <param name="lenDiff">The planned size change.</param>
    /// <param name="flags"><c>BPF_MTU_CHK_SEGS</c> (1).</param>
    /// <returns>0 when it fits, a positive <c>BPF_MTU_CHK_RET_*</c>, or a negative errno.</returns>
    [BpfHelper(163)]
    public static long CheckMtu(void* ctx, uint ifindex, uint* mtuLen, int lenDiff, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_get_socket_cookie</c>: the unique 64-bit cookie of the context's socket.</summary>
    /// <param name="ctx">A socket-carrying context (<see cref="SkBuff"/>, sock_addr, sock_ops, a socket).</param>
    /// <returns>The cookie, or 0.</returns>
    [BpfHelper(46)]
    public static ulong GetSocketCookie(void* ctx) => throw new BpfOnlyException();

    /// <summary><c>bpf_get_socket_uid</c>: the owner uid of the packet's socket.</summary>
    /// <param name="skb">The context.</param>
    /// <returns>The uid, or the overflow uid.</returns>
    [BpfHelper(47)]
    public static uint GetSocketUid(SkBuff* skb) => throw new BpfOnlyException();

    /// <summary><c>bpf_get_netns_cookie</c>: the cookie of the context's network namespace.</summary>
    /// <param name="ctx">The context, or null for the init namespace in some program types.</param>
    /// <returns>The cookie.</returns>
    [BpfHelper(122)]
    public static ulong GetNetnsCookie(void* ctx) => throw new BpfOnlyException();

    /// <summary><c>bpf_setsockopt</c>: <c>setsockopt</c> on the context's socket.</summary>
    /// <param name="bpfSocket">The socket context.</param>
    /// <param name="level">The level (<c>SOL_SOCKET</c>, <c>SOL_TCP</c>, …).</param>
    /// <param name="optname">The option.</param>
    /// <param name="optval">The value.</param>
    /// <param name="optlen">Its size.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(49)]
    public static long Setsockopt(void* bpfSocket, int level, int optname, void* optval, int optlen) => throw new BpfOnlyException();

    /// <summary><c>bpf_getsockopt</c>: <c>getsockopt</c> on the context's socket.</summary>
    /// <param name="bpfSocket">The socket context.</param>
    /// <param name="level">The level.</param>
    /// <param name="optname">The option.</param>
    /// <param name="optval">Receives the value.</param>
    /// <param name="optlen">Its size.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(57)]
    public static long Getsockopt(void* bpfSocket, int level, int optname, void* optval, int optlen) => throw new BpfOnlyException();

    /// <summary><c>bpf_sk_lookup_tcp</c>: looks up a TCP socket by tuple; a non-null result must be released with <see cref="SkRelease"/>.</summary>
    /// <param name="ctx">The context.</param>
    /// <param name="tuple">A <c>struct bpf_sock_tuple</c>.</param>
    /// <param name="tupleSize">Its size (the IPv4 or IPv6 part).</param>
    /// <param name="netns">The namespace id, or <c>BPF_F_CURRENT_NETNS</c> (-1).</param>
    /// <param name="flags">Must be 0.</param>
    /// <returns>A <c>struct bpf_sock *</c>, or null.</returns>
    [BpfHelper(84)]
    public static void* SkLookupTcp(void* ctx, void* tuple, uint tupleSize, ulong netns, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_sk_lookup_udp</c>: looks up a UDP socket by tuple; a non-null result must be released with <see cref="SkRelease"/>.</summary>
    /// <param name="ctx">The context.</param>
    /// <param name="tuple">A <c>struct bpf_sock_tuple</c>.</param>
    /// <param name="tupleSize">Its size.</param>
    /// <param name="netns">The namespace id, or <c>BPF_F_CURRENT_NETNS</c> (-1).</param>
    /// <param name="flags">Must be 0.</param>
    /// <returns>A <c>struct bpf_sock *</c>, or null.</returns>
    [BpfHelper(85)]
    public static void* SkLookupUdp(void* ctx, void* tuple, uint tupleSize, ulong netns, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_skc_lookup_tcp</c>: like <see cref="SkLookupTcp"/> but also finds request and timewait sockets.</summary>
    /// <param name="ctx">The context.</param>
    /// <param name="tuple">A <c>struct bpf_sock_tuple</c>.</param>
    /// <param name="tupleSize">Its size.</param>
    /// <param name="netns">The namespace id, or <c>BPF_F_CURRENT_NETNS</c> (-1).</param>
    /// <param name="flags">Must be 0.</param>
    /// <returns>A <c>struct bpf_sock *</c> (a sock_common), or null.</returns>
    [BpfHelper(99)]
    public static void* SkcLookupTcp(void* ctx, void* tuple, uint tupleSize, ulong netns, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_sk_release</c>: releases a socket reference from a lookup.</summary>
    /// <param name="sock">The socket.</param>
    /// <returns>0.</returns>
    [BpfHelper(86)]
    public static long SkRelease(void* sock) => throw new BpfOnlyException();

    /// <summary><c>bpf_sk_select_reuseport</c>: selects the socket of an <c>SO_REUSEPORT</c> group (sk_reuseport programs).</summary>
    /// <param name="reuse">The context (<see cref="SkReuseportMd"/>).</param>
    /// <param name="map">A <see cref="ReuseportSockArray"/>, sockmap or sockhash.</param>
    /// <param name="key">The key of the socket.</param>
    /// <param name="flags">Must be 0.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(82)]
    public static long SkSelectReuseport(void* reuse, KernelMap map, void* key, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_sk_assign</c>: steers the packet to a socket (tc ingress, sk_lookup).</summary>
    /// <param name="ctx">The context.</param>
    /// <param name="sk">The socket.</param>
    /// <param name="flags">0 (or <c>BPF_SK_LOOKUP_F_*</c> in sk_lookup programs).</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(124)]
    public static long SkAssign(void* ctx, void* sk, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_sk_fullsock</c>: the full socket of a <c>struct bpf_sock *</c>, or null for request/timewait sockets.</summary>
    /// <param name="sk">The socket.</param>
    /// <returns>The full socket, or null.</returns>
    [BpfHelper(95)]
    public static void* SkFullsock(void* sk) => throw new BpfOnlyException();

    /// <summary><c>bpf_tcp_sock</c>: the <c>struct bpf_tcp_sock</c> view of a socket, or null when not TCP.</summary>
    /// <param name="sk">The socket.</param>
    /// <returns>The TCP socket, or null.</returns>
    [BpfHelper(96)]
    public static void* TcpSock(void* sk) => throw new BpfOnlyException();

    /// <summary><c>bpf_get_listener_sock</c>: the listening socket of a request socket.</summary>
    /// <param name="sk">The socket.</param>
    /// <returns>The listener, or null.</returns>
    [BpfHelper(98)]
    public static void* GetListenerSock(void* sk) => throw new BpfOnlyException();

    /// <summary><c>bpf_sk_cgroup_id</c>: the cgroup v2 id of a socket.</summary>
    /// <param name="sk">A full socket.</param>
    /// <returns>The cgroup id.</returns>
    [BpfHelper(128)]
    public static ulong SkCgroupId(void* sk) => throw new BpfOnlyException();

    /// <summary><c>bpf_skc_to_tcp_sock</c>: casts a socket to a BTF <c>struct tcp_sock *</c>, or null.</summary>
    /// <param name="sk">Any socket pointer.</param>
    /// <returns>The TCP socket, or null.</returns>
    [BpfHelper(137)]
    public static void* SkcToTcpSock(void* sk) => throw new BpfOnlyException();

    /// <summary><c>bpf_skc_to_tcp6_sock</c>: casts a socket to a BTF <c>struct tcp6_sock *</c>, or null.</summary>
    /// <param name="sk">Any socket pointer.</param>
    /// <returns>The socket, or null.</returns>
    [BpfHelper(136)]
    public static void* SkcToTcp6Sock(void* sk) => throw new BpfOnlyException();

    /// <summary><c>bpf_skc_to_tcp_timewait_sock</c>: casts a socket to a BTF <c>struct tcp_timewait_sock *</c>, or null.</summary>
    /// <param name="sk">Any socket pointer.</param>
    /// <returns>The socket, or null.</returns>
    [BpfHelper(138)]
    public static void* SkcToTcpTimewaitSock(void* sk) => throw new BpfOnlyException();

    /// <summary><c>bpf_skc_to_tcp_request_sock</c>: casts a socket to a BTF <c>struct tcp_request_sock *</c>, or null.</summary>
    /// <param name="sk">Any socket pointer.</param>
    /// <returns>The socket, or null.</returns>
    [BpfHelper(139)]
    public static void* SkcToTcpRequestSock(void* sk) => throw new BpfOnlyException();

    /// <summary><c>bpf_skc_to_udp6_sock</c>: casts a socket to a BTF <c>struct udp6_sock *</c>, or null.</summary>
    /// <param name="sk">Any socket pointer.</param>
    /// <returns>The socket, or null.</returns>
    [BpfHelper(140)]
    public static void* SkcToUdp6Sock(void* sk) => throw new BpfOnlyException();

    /// <summary><c>bpf_skc_to_unix_sock</c>: casts a socket to a BTF <c>struct unix_sock *</c>, or null.</summary>
    /// <param name="sk">Any socket pointer.</param>
    /// <returns>The socket, or null.</returns>
    [BpfHelper(178)]
    public static void* SkcToUnixSock(void* sk) => throw new BpfOnlyException();

    /// <summary><c>bpf_tcp_send_ack</c>: sends an ACK on a TCP socket (struct_ops congestion control).</summary>
    /// <param name="tp">A BTF <c>struct tcp_sock *</c>.</param>
    /// <param name="rcvNxt">The ack sequence number.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(116)]
    public static long TcpSendAck(void* tp, uint rcvNxt) => throw new BpfOnlyException();
}
