using System.Runtime.CompilerServices;

namespace BpfSharp.Kernel;

/// <summary>
/// An array of sockets (<c>BPF_MAP_TYPE_SOCKMAP</c>, key and value <c>u32</c>): user space stores socket fds,
/// sockops programs add established sockets, sk_msg and sk_skb programs attached to the map redirect data between
/// its sockets.
/// </summary>
public sealed unsafe class SockMap : KernelMap
{
    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="maxEntries">The number of slots.</param>
    /// <param name="flags">Map creation flags.</param>
    /// <param name="pinning">Whether the loader pins the map by name.</param>
    public SockMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    {
    }

    /// <summary>
    /// The socket in slot <paramref name="index"/> as a <c>struct bpf_sock *</c> (sk_lookup, tc, XDP), or null; a
    /// non-null result holds a reference that must go back with <see cref="Bpf.SkRelease"/>.
    /// </summary>
    public void* Lookup(uint index)
    {
        // The helper takes the key's address: give the index a stack slot.
        uint key = index;
        return Bpf.MapLookupElem(this, Unsafe.AsPointer(ref key));
    }

    /// <summary><c>bpf_sock_map_update</c>: stores the socket of a sockops event in slot <paramref name="index"/>.</summary>
    /// <returns>0, or a negative errno.</returns>
    public long Update(SockOps* ops, uint index, UpdateFlags flags = UpdateFlags.Any)
    {
        uint key = index;
        return Bpf.SockMapUpdate(ops, this, Unsafe.AsPointer(ref key), (ulong)flags);
    }

    /// <summary><c>bpf_msg_redirect_map</c>: sends the message to the socket in slot <paramref name="index"/> (sk_msg).</summary>
    /// <param name="msg">The context.</param>
    /// <param name="index">The slot.</param>
    /// <param name="flags"><c>BPF_F_INGRESS</c> (1) to queue it on that socket's receive side.</param>
    /// <returns><see cref="SkAction.Pass"/> on success, else <see cref="SkAction.Drop"/>.</returns>
    public long RedirectMessage(SkMsgMd* msg, uint index, ulong flags = 0) => Bpf.MsgRedirectMap(msg, this, index, flags);

    /// <summary><c>bpf_sk_redirect_map</c>: sends the socket buffer to the socket in slot <paramref name="index"/> (sk_skb verdict).</summary>
    /// <returns><see cref="SkAction.Pass"/> on success, else <see cref="SkAction.Drop"/>.</returns>
    public long RedirectSkb(SkBuff* skb, uint index, ulong flags = 0) => Bpf.SkRedirectMap(skb, this, index, flags);
}

/// <summary>
/// A hash of sockets (<c>BPF_MAP_TYPE_SOCKHASH</c>, value <c>u32</c>): like <see cref="SockMap"/> with keys of the
/// program's choosing (typically a connection's 4-tuple).
/// </summary>
/// <typeparam name="TKey">The key type (its size is the map's key size).</typeparam>
public sealed unsafe class SockHash<TKey> : KernelMap
    where TKey : unmanaged
{
    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="maxEntries">The maximum number of sockets.</param>
    /// <param name="flags">Map creation flags.</param>
    /// <param name="pinning">Whether the loader pins the map by name.</param>
    public SockHash(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    {
    }

    /// <summary>
    /// The socket under <paramref name="key"/> as a <c>struct bpf_sock *</c> (sk_lookup, tc, XDP), or null; a
    /// non-null result holds a reference that must go back with <see cref="Bpf.SkRelease"/>.
    /// </summary>
    public void* Lookup(in TKey key) => Bpf.MapLookupElem(this, Unsafe.AsPointer(ref Unsafe.AsRef(in key)));

    /// <summary><c>bpf_sock_hash_update</c>: stores the socket of a sockops event under <paramref name="key"/>.</summary>
    /// <returns>0, or a negative errno.</returns>
    public long Update(SockOps* ops, in TKey key, UpdateFlags flags = UpdateFlags.Any) =>
        Bpf.SockHashUpdate(ops, this, Unsafe.AsPointer(ref Unsafe.AsRef(in key)), (ulong)flags);

    /// <summary><c>bpf_msg_redirect_hash</c>: sends the message to the socket under <paramref name="key"/> (sk_msg).</summary>
    /// <param name="msg">The context.</param>
    /// <param name="key">The key.</param>
    /// <param name="flags"><c>BPF_F_INGRESS</c> (1) to queue it on that socket's receive side.</param>
    /// <returns><see cref="SkAction.Pass"/> on success, else <see cref="SkAction.Drop"/>.</returns>
    public long RedirectMessage(SkMsgMd* msg, in TKey key, ulong flags = 0) =>
        Bpf.MsgRedirectHash(msg, this, Unsafe.AsPointer(ref Unsafe.AsRef(in key)), flags);

    /// <summary><c>bpf_sk_redirect_hash</c>: sends the socket buffer to the socket under <paramref name="key"/> (sk_skb verdict).</summary>
    /// <returns><see cref="SkAction.Pass"/> on success, else <see cref="SkAction.Drop"/>.</returns>
    public long RedirectSkb(SkBuff* skb, in TKey key, ulong flags = 0) =>
        Bpf.SkRedirectHash(skb, this, Unsafe.AsPointer(ref Unsafe.AsRef(in key)), flags);
}

/// <summary>
/// The redirect maps of XDP (<see cref="DevMap"/>, <see cref="DevMapHash"/>, <see cref="CpuMap"/>,
/// <see cref="XskMap"/>): each slot names a target, and <see cref="Redirect"/> sends the frame there.
/// </summary>
public abstract unsafe class XdpRedirectMap : KernelMap
{
    private protected XdpRedirectMap()
    {
    }

    /// <summary><c>bpf_redirect_map</c>: redirects the frame to the target in slot <paramref name="key"/>.</summary>
    /// <param name="key">The slot.</param>
    /// <param name="flags">The action to return when the slot is empty (low 2 bits, e.g. <see cref="XdpAction.Pass"/>), plus <c>BPF_F_BROADCAST</c> (8) / <c>BPF_F_EXCLUDE_INGRESS</c> (16) for devmaps.</param>
    /// <returns><see cref="XdpAction.Redirect"/> on success, else the fallback action.</returns>
    public long Redirect(uint key, ulong flags = 0) => Bpf.RedirectMap(this, key, flags);
}

/// <summary>An array of network devices (<c>BPF_MAP_TYPE_DEVMAP</c>, key <c>u32</c>, value the ifindex as <c>u32</c>).</summary>
public sealed class DevMap : XdpRedirectMap
{
    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="maxEntries">The number of slots.</param>
    /// <param name="flags">Map creation flags.</param>
    /// <param name="pinning">Whether the loader pins the map by name.</param>
    public DevMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    {
    }
}

/// <summary>A hash of network devices (<c>BPF_MAP_TYPE_DEVMAP_HASH</c>, key <c>u32</c> of the program's choosing, value the ifindex).</summary>
public sealed class DevMapHash : XdpRedirectMap
{
    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="maxEntries">The maximum number of devices.</param>
    /// <param name="flags">Map creation flags.</param>
    /// <param name="pinning">Whether the loader pins the map by name.</param>
    public DevMapHash(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    {
    }
}

/// <summary>An array of CPUs (<c>BPF_MAP_TYPE_CPUMAP</c>, key the CPU, value the queue size as <c>u32</c>): redirecting hands the frame to that CPU.</summary>
public sealed class CpuMap : XdpRedirectMap
{
    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="maxEntries">The number of CPUs.</param>
    /// <param name="flags">Map creation flags.</param>
    /// <param name="pinning">Whether the loader pins the map by name.</param>
    public CpuMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    {
    }
}

/// <summary>An array of AF_XDP sockets (<c>BPF_MAP_TYPE_XSKMAP</c>, key the receive queue, value the socket fd).</summary>
public sealed class XskMap : XdpRedirectMap
{
    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="maxEntries">The number of queues.</param>
    /// <param name="flags">Map creation flags.</param>
    /// <param name="pinning">Whether the loader pins the map by name.</param>
    public XskMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    {
    }
}

/// <summary>
/// An array of the sockets of one <c>SO_REUSEPORT</c> group (<c>BPF_MAP_TYPE_REUSEPORT_SOCKARRAY</c>, key
/// <c>u32</c>, value the socket fd as <c>u32</c> or <c>u64</c> from user space): an sk_reuseport program picks the
/// socket for a packet with <see cref="Select"/>.
/// </summary>
public sealed unsafe class ReuseportSockArray : KernelMap
{
    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="maxEntries">The number of slots.</param>
    /// <param name="flags">Map creation flags.</param>
    /// <param name="pinning">Whether the loader pins the map by name.</param>
    public ReuseportSockArray(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    {
    }

    /// <summary><c>bpf_sk_select_reuseport</c>: the packet goes to the socket in slot <paramref name="index"/>.</summary>
    /// <param name="reuse">The context.</param>
    /// <param name="index">The slot.</param>
    /// <param name="flags">Must be 0.</param>
    /// <returns>0, or a negative errno (ENOENT for an empty slot, EINVAL for a socket of another group).</returns>
    public long Select(SkReuseportMd* reuse, uint index, ulong flags = 0)
    {
        uint key = index;
        return Bpf.SkSelectReuseport(reuse, this, Unsafe.AsPointer(ref key), flags);
    }
}
