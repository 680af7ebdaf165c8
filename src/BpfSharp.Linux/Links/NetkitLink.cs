using System.Buffers.Binary;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Links;

/// <summary>
/// A program of a netkit device pair (<c>BPF_LINK_CREATE</c> with <c>BPF_NETKIT_PRIMARY</c>/<c>BPF_NETKIT_PEER</c>,
/// 6.7+, <c>CONFIG_NETKIT</c>): it runs for what the primary device (or its peer) transmits, as tcx does for an
/// interface. Both hooks are reached through the primary device's ifindex. <see cref="CreatePair"/> makes the
/// devices through rtnetlink, so no netkit-aware iproute2 is needed.
/// </summary>
public sealed class NetkitLink : BpfLink
{
    private const ushort NewLink = 16;
    private const ushort DeleteLink = 17;
    private const ushort LinkAttributeName = 3;
    private const ushort LinkAttributeInfo = 18;
    private const ushort LinkInfoKind = 1;
    private const ushort LinkInfoData = 2;
    private const ushort NetkitAttributePeerInfo = 1;
    private const ushort NetkitAttributePolicy = 3;
    private const ushort NetkitAttributePeerPolicy = 4;
    private const ushort NetkitAttributeMode = 5;

    private NetkitLink(BpfFileDescriptor fd, int interfaceIndex, bool peer) : base(fd)
    {
        InterfaceIndex = interfaceIndex;
        IsPeer = peer;
    }

    /// <summary>The primary device the program is attached through.</summary>
    public int InterfaceIndex { get; }

    /// <summary>True for the peer's hook, false for the primary's.</summary>
    public bool IsPeer { get; }

    /// <summary>
    /// Attaches a <see cref="BpfProgramType.SchedCls"/> program to the primary netkit device
    /// <paramref name="primaryInterfaceIndex"/>, for the primary's traffic or, with <paramref name="peer"/>, the peer's
    /// (appended after any already attached).
    /// </summary>
    /// <exception cref="BpfSyscallException">
    /// The kernel refused: EINVAL without netkit (before 6.7 or no <c>CONFIG_NETKIT</c>) or for a device that is no
    /// netkit, EACCES for the peer device's own ifindex.
    /// </exception>
    public static NetkitLink Attach(BpfProgram program, int primaryInterfaceIndex, bool peer = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(primaryInterfaceIndex);
        var fd = Create(program, (uint)primaryInterfaceIndex, peer ? BpfAttachType.NetkitPeer : BpfAttachType.NetkitPrimary);
        try
        {
            return new NetkitLink(fd, primaryInterfaceIndex, peer);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>Attaches to the primary netkit device named <paramref name="primaryName"/>.</summary>
    public static NetkitLink Attach(BpfProgram program, string primaryName, bool peer = false) =>
        Attach(program, NetworkInterfaces.IndexOf(primaryName), peer);

    /// <summary>
    /// Creates a netkit pair in the calling thread's network namespace (<c>RTM_NEWLINK</c> of kind <c>netkit</c>,
    /// as <c>ip link add NAME type netkit mode l3|l2 peer name PEER</c>): <paramref name="primaryName"/> holds the
    /// programs, <paramref name="peerName"/> is typically moved into a container's namespace. Without programs both
    /// devices forward everything (policy <c>pass</c>). Delete with <see cref="DeletePair"/>.
    /// </summary>
    /// <exception cref="BpfAttachException">The kernel refused (EOPNOTSUPP "Unknown device type" without netkit, EEXIST, ...).</exception>
    public static void CreatePair(string primaryName, string peerName, NetkitMode mode = NetkitMode.L3)
    {
        ArgumentException.ThrowIfNullOrEmpty(primaryName);
        ArgumentException.ThrowIfNullOrEmpty(peerName);
        var request = new NetlinkRequest(NewLink, NetlinkRequest.FlagCreate | NetlinkRequest.FlagExclusive, new byte[16]);
        request.AddString(LinkAttributeName, primaryName);
        var info = request.BeginNested(LinkAttributeInfo);
        request.AddString(LinkInfoKind, "netkit");
        var data = request.BeginNested(LinkInfoData);
        request.AddUInt32(NetkitAttributeMode, (uint)mode);
        request.AddUInt32(NetkitAttributePolicy, 0);
        request.AddUInt32(NetkitAttributePeerPolicy, 0);
        request.Add(NetkitAttributePeerInfo, PeerInfo(peerName));
        request.EndNested(data);
        request.EndNested(info);
        using var netlink = RouteNetlink.Open();
        netlink.Execute(request, $"create netkit pair {primaryName}/{peerName}");
    }

    /// <summary>Deletes the netkit pair (or any interface) named <paramref name="name"/>; deleting one side removes both.</summary>
    /// <exception cref="BpfAttachException">No such interface, or the kernel refused.</exception>
    public static void DeletePair(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var request = new NetlinkRequest(DeleteLink, 0, new byte[16]);
        request.AddString(LinkAttributeName, name);
        using var netlink = RouteNetlink.Open();
        netlink.Execute(request, $"delete interface {name}");
    }

    // The peer is described as a link of its own: a struct ifinfomsg (zeros: no index, flags or type asked for)
    // followed by its IFLA_IFNAME attribute.
    private static byte[] PeerInfo(string peerName)
    {
        var name = CString(peerName);
        var attributeLength = 4 + name.Length;
        var payload = new byte[16 + ((attributeLength + 3) & ~3)];
        BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(16), (ushort)attributeLength);
        BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(18), LinkAttributeName);
        name.CopyTo(payload.AsSpan(20));
        return payload;
    }

    /// <inheritdoc />
    public override string ToString() => $"netkit/{(IsPeer ? "peer" : "primary")} ifindex {InterfaceIndex} link {Id} prog {ProgramId}";
}

/// <summary>How a netkit pair carries packets (<c>enum netkit_mode</c>).</summary>
public enum NetkitMode
{
    /// <summary><c>NETKIT_L2</c>: Ethernet frames, with MAC addresses.</summary>
    L2 = 0,
    /// <summary><c>NETKIT_L3</c>: IP packets without a link-layer header (the default).</summary>
    L3 = 1,
}
