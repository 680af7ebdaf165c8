using System.Buffers.Binary;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Links;

/// <summary>
/// An XDP program attached to an interface through rtnetlink (<c>IFLA_XDP</c> in <c>RTM_SETLINK</c>, libbpf's
/// <c>bpf_xdp_attach</c>): works on every kernel with XDP, where <see cref="XdpLink"/> needs 5.9. This is no BPF link:
/// the program stays until <see cref="BpfLink.Dispose()"/> detaches it, which it does only while this program is
/// still the one attached in that mode. The attachment keeps the rtnetlink socket it was made with, so disposing
/// it from a thread in another network namespace still detaches it from the interface it was attached to.
/// </summary>
public sealed class XdpNetlinkAttachment : BpfLink
{
    private const ushort NewLink = 16;
    private const ushort GetLink = 18;
    private const ushort SetLink = 19;
    private const ushort LinkAttributeXdp = 43;
    private const ushort XdpAttributeFd = 1;
    private const ushort XdpAttributeAttached = 2;
    private const ushort XdpAttributeFlags = 3;
    private const ushort XdpAttributeProgramId = 4;
    private const ushort XdpAttributeDriverProgramId = 5;
    private const ushort XdpAttributeGenericProgramId = 6;
    private const ushort XdpAttributeHardwareProgramId = 7;
    private const ushort XdpAttributeExpectedFd = 8;

    // An ifindex means something only in one network namespace: the socket stays bound to the one attached in.
    private readonly RouteNetlink _netlink;

    private XdpNetlinkAttachment(RouteNetlink netlink, int interfaceIndex, XdpAttachMode mode, int programId) : base(programId)
    {
        _netlink = netlink;
        InterfaceIndex = interfaceIndex;
        Mode = mode;
    }

    /// <summary>The interface.</summary>
    public int InterfaceIndex { get; }

    /// <summary>The mode asked for (<see cref="XdpAttachMode.Default"/>: the driver's if it has XDP support, else generic).</summary>
    public XdpAttachMode Mode { get; }

    /// <summary>Attaches <paramref name="program"/> (type <see cref="BpfProgramType.Xdp"/>) to <paramref name="interfaceIndex"/>.</summary>
    /// <param name="program">The XDP program.</param>
    /// <param name="interfaceIndex">The interface.</param>
    /// <param name="mode">Generic (skb), driver, hardware, or the kernel's choice.</param>
    /// <param name="flags">
    /// <see cref="XdpAttachFlags.UpdateIfNoneAttached"/> to fail with EBUSY when a program is attached in this mode
    /// (otherwise it is replaced).
    /// </param>
    /// <param name="expected">With it, replace only if this program is the one attached (<c>XDP_FLAGS_REPLACE</c>, 5.7+); EEXIST otherwise.</param>
    /// <exception cref="BpfAttachException">The kernel refused (EOPNOTSUPP for a mode the device lacks, EBUSY, EEXIST, ...).</exception>
    public static XdpNetlinkAttachment Attach(BpfProgram program, int interfaceIndex, XdpAttachMode mode = XdpAttachMode.Default,
        XdpAttachFlags flags = XdpAttachFlags.None, BpfProgram? expected = null)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(interfaceIndex);
        using var lease = program.FileDescriptor.Borrow();
        var netlink = RouteNetlink.Open();
        try
        {
            if (expected is null)
            {
                Set(netlink, interfaceIndex, lease.Fd, (uint)mode | (uint)flags, null, $"attach XDP program {program.Id} to ifindex {interfaceIndex}");
            }
            else
            {
                using var expectedLease = expected.FileDescriptor.Borrow();
                Set(netlink, interfaceIndex, lease.Fd, (uint)mode | (uint)flags | ReplaceFlag, expectedLease.Fd,
                    $"replace XDP program {expected.Id} by {program.Id} on ifindex {interfaceIndex}");
            }
            return new XdpNetlinkAttachment(netlink, interfaceIndex, mode, program.Id);
        }
        catch
        {
            netlink.Dispose();
            throw;
        }
    }

    /// <summary>Attaches to the interface named <paramref name="interfaceName"/>.</summary>
    public static XdpNetlinkAttachment Attach(BpfProgram program, string interfaceName, XdpAttachMode mode = XdpAttachMode.Default,
        XdpAttachFlags flags = XdpAttachFlags.None, BpfProgram? expected = null) =>
        Attach(program, NetworkInterfaces.IndexOf(interfaceName), mode, flags, expected);

    /// <summary>Detaches whatever program is attached to <paramref name="interfaceIndex"/> in <paramref name="mode"/> (libbpf's <c>bpf_xdp_detach</c>).</summary>
    /// <exception cref="BpfAttachException">The kernel refused.</exception>
    public static void Detach(int interfaceIndex, XdpAttachMode mode)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(interfaceIndex);
        using var netlink = RouteNetlink.Open();
        Set(netlink, interfaceIndex, -1, (uint)mode, null, $"detach XDP from ifindex {interfaceIndex}");
    }

    /// <summary>The XDP programs attached to <paramref name="interfaceIndex"/>, per mode (libbpf's <c>bpf_xdp_query</c>).</summary>
    /// <exception cref="BpfAttachException">No such interface, or the kernel refused.</exception>
    public static XdpAttachedPrograms Query(int interfaceIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(interfaceIndex);
        using var netlink = RouteNetlink.Open();
        return Query(netlink, interfaceIndex);
    }

    private static XdpAttachedPrograms Query(RouteNetlink netlink, int interfaceIndex)
    {
        var replies = netlink.Execute(new NetlinkRequest(GetLink, 0, LinkHeader(interfaceIndex)), $"query XDP on ifindex {interfaceIndex}");
        var result = new XdpAttachedPrograms(XdpAttachedMode.None, 0, 0, 0, 0);
        foreach (var reply in replies)
        {
            if (reply.Type != NewLink || reply.Payload.Length < 16) continue;
            foreach (var (type, value) in RouteNetlink.Attributes(reply.Payload.AsSpan(16)))
                if (type == LinkAttributeXdp) result = ParseXdpAttribute(value);
        }
        return result;
    }

    /// <summary>Reads the nested <c>IFLA_XDP</c> attribute of an <c>RTM_NEWLINK</c> message.</summary>
    internal static XdpAttachedPrograms ParseXdpAttribute(ReadOnlySpan<byte> nested)
    {
        var result = new XdpAttachedPrograms(XdpAttachedMode.None, 0, 0, 0, 0);
        foreach (var (inner, v) in RouteNetlink.Attributes(nested))
        {
            if (inner == XdpAttributeAttached && v.Length >= 1) result = result with { Attached = (XdpAttachedMode)v[0] };
            if (v.Length < 4) continue;
            var id = BinaryPrimitives.ReadInt32LittleEndian(v);
            result = inner switch
            {
                XdpAttributeProgramId => result with { ProgramId = id },
                XdpAttributeDriverProgramId => result with { DriverProgramId = id },
                XdpAttributeGenericProgramId => result with { GenericProgramId = id },
                XdpAttributeHardwareProgramId => result with { HardwareProgramId = id },
                _ => result,
            };
        }
        return result;
    }

    /// <summary>Detaches the program if it is still the one attached in <see cref="Mode"/> (best effort).</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                if (AttachedId(Query(_netlink, InterfaceIndex)) == ProgramId)
                    Set(_netlink, InterfaceIndex, -1, (uint)Mode, null, $"detach XDP from ifindex {InterfaceIndex}");
            }
            catch (BpfAttachException)
            {
                // The interface is gone, and the program with it.
            }
            finally
            {
                _netlink.Dispose();
            }
        }
        base.Dispose(disposing);
    }

    /// <inheritdoc />
    public override string ToString() => $"xdp ifindex {InterfaceIndex} mode {Mode} prog {ProgramId}";

    private const uint ReplaceFlag = 1 << 4;

    private int AttachedId(XdpAttachedPrograms attached) => Mode switch
    {
        XdpAttachMode.Generic => attached.GenericProgramId,
        XdpAttachMode.Driver => attached.DriverProgramId,
        XdpAttachMode.Hardware => attached.HardwareProgramId,
        // The kernel's default is the driver mode where the device has one: the single attached program either way.
        _ => attached.DriverProgramId != 0 ? attached.DriverProgramId : attached.GenericProgramId,
    };

    private static byte[] LinkHeader(int interfaceIndex)
    {
        // struct ifinfomsg: family, pad, type, index, flags, change.
        var header = new byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), interfaceIndex);
        return header;
    }

    private static void Set(RouteNetlink netlink, int interfaceIndex, int programFd, uint flags, int? expectedFd, string what)
    {
        var request = new NetlinkRequest(SetLink, 0, LinkHeader(interfaceIndex));
        var xdp = request.BeginNested(LinkAttributeXdp);
        request.AddInt32(XdpAttributeFd, programFd);
        if (flags != 0) request.AddUInt32(XdpAttributeFlags, flags);
        if (expectedFd is { } e) request.AddInt32(XdpAttributeExpectedFd, e);
        request.EndNested(xdp);
        netlink.Execute(request, what);
    }
}

/// <summary>Flags of <see cref="XdpNetlinkAttachment.Attach(BpfProgram, int, XdpAttachMode, XdpAttachFlags, BpfProgram?)"/>.</summary>
[Flags]
public enum XdpAttachFlags
{
    /// <summary>Replace whatever is attached.</summary>
    None = 0,
    /// <summary><c>XDP_FLAGS_UPDATE_IF_NOEXIST</c>: fail with EBUSY when a program is attached.</summary>
    UpdateIfNoneAttached = 1,
}

/// <summary>How XDP is attached to an interface (<c>XDP_ATTACHED_*</c>).</summary>
public enum XdpAttachedMode
{
    /// <summary>No program.</summary>
    None = 0,
    /// <summary>One program, in the driver.</summary>
    Driver = 1,
    /// <summary>One program, generic (skb).</summary>
    Generic = 2,
    /// <summary>One program, offloaded.</summary>
    Hardware = 3,
    /// <summary>Programs in several modes.</summary>
    Multiple = 4,
}

/// <summary>The XDP programs of an interface (ids, 0 where none).</summary>
/// <param name="Attached">The summary mode.</param>
/// <param name="ProgramId">The single program when one mode is used (<c>IFLA_XDP_PROG_ID</c>).</param>
/// <param name="DriverProgramId">The driver-mode program.</param>
/// <param name="GenericProgramId">The generic-mode program.</param>
/// <param name="HardwareProgramId">The offloaded program.</param>
public readonly record struct XdpAttachedPrograms(XdpAttachedMode Attached, int ProgramId, int DriverProgramId, int GenericProgramId, int HardwareProgramId);
