using System.Net;
using System.Net.Sockets;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Links;

/// <summary>
/// A route whose packets run lightweight-tunnel BPF programs (<c>RTM_NEWROUTE</c> with <c>RTA_ENCAP_TYPE</c>
/// <c>LWTUNNEL_ENCAP_BPF</c>, as <c>ip route add PREFIX encap bpf in|out|xmit obj ... dev IF</c>, 4.10+,
/// <c>CONFIG_LWTUNNEL_BPF</c>): an <see cref="BpfProgramType.LwtIn"/> program for packets the route receives
/// (forwarded or delivered), <see cref="BpfProgramType.LwtOut"/> for packets sent (or forwarded) through it, and
/// <see cref="BpfProgramType.LwtXmit"/> just before they leave its device. The route holds the programs: this is
/// no BPF link, and <see cref="BpfLink.Dispose()"/> deletes the route, in the network namespace it was added in
/// (the calling thread's at <c>Add</c>).
/// </summary>
public sealed class LwtRoute : BpfLink
{
    private const ushort NewRoute = 24;
    private const ushort DeleteRoute = 25;
    private const ushort RouteDestination = 1;
    private const ushort RouteOutputInterface = 4;
    private const ushort RouteGateway = 5;
    private const ushort RouteTable = 15;
    private const ushort RouteEncap = 22;
    private const ushort RouteEncapType = 21;
    private const ushort EncapBpf = 6;
    private const ushort LwtBpfIn = 1, LwtBpfOut = 2, LwtBpfXmit = 3, LwtBpfXmitHeadroom = 4;
    private const ushort LwtBpfProgramFd = 1, LwtBpfProgramName = 2;
    private const byte ProtocolBoot = 3;
    private const byte ScopeUniverse = 0, ScopeLink = 253, ScopeNowhere = 255;
    private const byte TypeUnicast = 1;
    private const uint MainTable = 254;

    // The socket stays open with the route: it belongs to the namespace the route was made in, so the route is
    // deleted there whichever thread disposes it.
    private readonly RouteNetlink _netlink;

    private LwtRoute(RouteNetlink netlink, IPNetwork destination, int interfaceIndex, uint table, int programId) : base(programId)
    {
        _netlink = netlink;
        Destination = destination;
        InterfaceIndex = interfaceIndex;
        Table = table;
    }

    /// <summary>The route's destination prefix.</summary>
    public IPNetwork Destination { get; }

    /// <summary>The route's output device.</summary>
    public int InterfaceIndex { get; }

    /// <summary>The routing table (254, main, by default).</summary>
    public uint Table { get; }

    /// <summary>
    /// Adds a route to <paramref name="destination"/> through <paramref name="interfaceIndex"/> whose packets run
    /// <paramref name="program"/> at the hook its type names (lwt_in, lwt_out or lwt_xmit).
    /// </summary>
    /// <exception cref="ArgumentException">The program is not of an lwt in/out/xmit type.</exception>
    /// <exception cref="BpfAttachException">The kernel refused (EEXIST for an existing route, EOPNOTSUPP without <c>CONFIG_LWTUNNEL_BPF</c>, ...).</exception>
    public static LwtRoute Add(BpfProgram program, IPNetwork destination, int interfaceIndex, IPAddress? gateway = null, uint table = MainTable)
    {
        ArgumentNullException.ThrowIfNull(program);
        return program.Type switch
        {
            BpfProgramType.LwtIn => Add(destination, interfaceIndex, input: program, gateway: gateway, table: table),
            BpfProgramType.LwtOut => Add(destination, interfaceIndex, output: program, gateway: gateway, table: table),
            BpfProgramType.LwtXmit => Add(destination, interfaceIndex, transmit: program, gateway: gateway, table: table),
            _ => throw new ArgumentException($"program '{program.Name}' is {program.Type}, not an lwt_in, lwt_out or lwt_xmit program", nameof(program)),
        };
    }

    /// <summary>
    /// Adds a route to <paramref name="destination"/> through <paramref name="interfaceIndex"/> (via
    /// <paramref name="gateway"/> if given) with up to one program per hook.
    /// </summary>
    /// <param name="destination">The prefix (IPv4 or IPv6).</param>
    /// <param name="interfaceIndex">The output device.</param>
    /// <param name="input">The lwt_in program, or null.</param>
    /// <param name="output">The lwt_out program, or null.</param>
    /// <param name="transmit">The lwt_xmit program, or null.</param>
    /// <param name="transmitHeadroom">Bytes the xmit program may push in front of the packet (<c>headroom</c>).</param>
    /// <param name="gateway">The next hop, or null for a directly connected destination.</param>
    /// <param name="table">The routing table.</param>
    /// <exception cref="ArgumentException">No program, or one of the wrong type for its hook.</exception>
    /// <exception cref="BpfAttachException">The kernel refused.</exception>
    public static LwtRoute Add(IPNetwork destination, int interfaceIndex, BpfProgram? input = null, BpfProgram? output = null,
        BpfProgram? transmit = null, int transmitHeadroom = 0, IPAddress? gateway = null, uint table = MainTable)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(interfaceIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(transmitHeadroom);
        if (input is null && output is null && transmit is null) throw new ArgumentException("an lwt route needs at least one program");
        Require(input, BpfProgramType.LwtIn, nameof(input));
        Require(output, BpfProgramType.LwtOut, nameof(output));
        Require(transmit, BpfProgramType.LwtXmit, nameof(transmit));
        if (gateway is not null && gateway.AddressFamily != destination.BaseAddress.AddressFamily)
            throw new ArgumentException($"gateway {gateway} is not of the destination's family", nameof(gateway));

        var request = new NetlinkRequest(NewRoute, NetlinkRequest.FlagCreate | NetlinkRequest.FlagExclusive,
            RouteHeader(destination, table, gateway is null ? ScopeLink : ScopeUniverse));
        AddSelectors(request, destination, interfaceIndex, table);
        if (gateway is not null) request.Add(RouteGateway, gateway.GetAddressBytes());
        Span<byte> encapType = stackalloc byte[2];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(encapType, EncapBpf);
        request.Add(RouteEncapType, encapType);

        // The fds must stay open until the kernel has taken its references: hold each handle for the request.
        var held = new List<BpfFileDescriptor>();
        var netlink = RouteNetlink.Open();
        try
        {
            var encap = request.BeginNested(RouteEncap);
            foreach (var (hook, program) in new[] { (LwtBpfIn, input), (LwtBpfOut, output), (LwtBpfXmit, transmit) })
            {
                if (program is null) continue;
                var added = false;
                program.FileDescriptor.DangerousAddRef(ref added);
                if (added) held.Add(program.FileDescriptor);
                var nested = request.BeginNested(hook);
                request.AddInt32(LwtBpfProgramFd, program.FileDescriptor.RawFd);
                // The kernel insists on a name; 'ip route' shows it with the program.
                request.AddString(LwtBpfProgramName, string.IsNullOrEmpty(program.Name) ? "bpf" : program.Name);
                request.EndNested(nested);
            }
            if (transmitHeadroom > 0) request.AddUInt32(LwtBpfXmitHeadroom, (uint)transmitHeadroom);
            request.EndNested(encap);
            netlink.Execute(request, $"add lwt route {destination} dev {interfaceIndex}");
        }
        catch
        {
            netlink.Dispose();
            throw;
        }
        finally
        {
            foreach (var fd in held) fd.DangerousRelease();
        }
        return new LwtRoute(netlink, destination, interfaceIndex, table, (input ?? output ?? transmit)!.Id);
    }

    /// <summary>Deletes the route (best effort: the device may be gone, and its routes with it).</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            var request = new NetlinkRequest(DeleteRoute, 0, RouteHeader(Destination, Table, ScopeNowhere));
            AddSelectors(request, Destination, InterfaceIndex, Table);
            try
            {
                _netlink.Execute(request, $"delete lwt route {Destination}");
            }
            catch (BpfAttachException)
            {
                // ESRCH/ENODEV: the route went away with its device (or its namespace).
            }
            _netlink.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <inheritdoc />
    public override string ToString() => $"lwt route {Destination} ifindex {InterfaceIndex} prog {ProgramId}";

    private static void Require(BpfProgram? program, BpfProgramType type, string parameter)
    {
        if (program is not null && program.Type != type)
            throw new ArgumentException($"program '{program.Name}' is {program.Type}, the {parameter} hook takes {type}", parameter);
    }

    private static byte[] RouteHeader(IPNetwork destination, uint table, byte scope)
    {
        // struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags.
        var header = new byte[12];
        header[0] = (byte)(destination.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 2 : 10);
        header[1] = (byte)destination.PrefixLength;
        header[4] = table < 256 ? (byte)table : (byte)252;
        header[5] = scope == ScopeNowhere ? (byte)0 : ProtocolBoot;
        header[6] = scope;
        header[7] = scope == ScopeNowhere ? (byte)0 : TypeUnicast;
        return header;
    }

    private static void AddSelectors(NetlinkRequest request, IPNetwork destination, int interfaceIndex, uint table)
    {
        request.Add(RouteDestination, destination.BaseAddress.GetAddressBytes());
        request.AddInt32(RouteOutputInterface, interfaceIndex);
        request.AddUInt32(RouteTable, table);
    }
}
