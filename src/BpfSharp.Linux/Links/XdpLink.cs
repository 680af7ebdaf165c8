namespace BpfSharp.Linux.Links;

/// <summary>An XDP program attached to a network interface through a BPF link (<c>BPF_LINK_CREATE</c>, <c>BPF_XDP</c>, 5.9+).</summary>
public sealed class XdpLink : BpfLink
{
    private XdpLink(BpfFileDescriptor fd, int interfaceIndex) : base(fd) => InterfaceIndex = interfaceIndex;

    /// <summary>The interface the program is attached to.</summary>
    public int InterfaceIndex { get; }

    /// <summary>Attaches <paramref name="program"/> (type <see cref="BpfProgramType.Xdp"/>) to interface <paramref name="interfaceIndex"/>.</summary>
    /// <param name="program">The XDP program.</param>
    /// <param name="interfaceIndex">The ifindex (see <see cref="NetworkInterfaces.IndexOf"/>).</param>
    /// <param name="mode">Driver, generic (skb) or default mode.</param>
    /// <exception cref="BpfSyscallException">The kernel refused (EBUSY when another XDP program is attached).</exception>
    public static XdpLink Attach(BpfProgram program, int interfaceIndex, XdpAttachMode mode = XdpAttachMode.Default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(interfaceIndex);
        var fd = Create(program, (uint)interfaceIndex, BpfAttachType.Xdp, (uint)mode);
        try
        {
            return new XdpLink(fd, interfaceIndex);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>Attaches to the interface named <paramref name="interfaceName"/>.</summary>
    public static XdpLink Attach(BpfProgram program, string interfaceName, XdpAttachMode mode = XdpAttachMode.Default) =>
        Attach(program, NetworkInterfaces.IndexOf(interfaceName), mode);
}

/// <summary>XDP attach modes (<c>XDP_FLAGS_*_MODE</c>).</summary>
public enum XdpAttachMode
{
    /// <summary>Let the kernel pick (native if the driver supports it, else generic).</summary>
    Default = 0,
    /// <summary><c>XDP_FLAGS_SKB_MODE</c>: generic XDP in the network stack.</summary>
    Generic = 1 << 1,
    /// <summary><c>XDP_FLAGS_DRV_MODE</c>: native driver XDP.</summary>
    Driver = 1 << 2,
    /// <summary><c>XDP_FLAGS_HW_MODE</c>: offloaded to the NIC.</summary>
    Hardware = 1 << 3,
}
