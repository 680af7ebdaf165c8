using System.Buffers.Binary;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Links;

/// <summary>
/// The rtnetlink messages of tc: <c>struct tcmsg</c> headers for the clsact qdisc and bpf filters (what libbpf's
/// <c>bpf_tc_hook_create</c>/<c>bpf_tc_attach</c> send).
/// </summary>
internal static class TcNetlink
{
    internal const ushort NewQdisc = 36;
    internal const ushort DeleteQdisc = 37;
    internal const ushort NewFilter = 44;
    internal const ushort DeleteFilter = 45;
    internal const ushort GetFilter = 46;
    internal const ushort AttributeKind = 1;
    internal const ushort AttributeOptions = 2;
    internal const ushort BpfAttributeFd = 6;
    internal const ushort BpfAttributeName = 7;
    internal const ushort BpfAttributeFlags = 8;
    internal const ushort BpfAttributeId = 11;
    internal const uint BpfFlagDirectAction = 1;

    /// <summary><c>TC_H_CLSACT</c> (= <c>TC_H_INGRESS</c>), the clsact qdisc's parent.</summary>
    internal const uint ClsactParent = 0xFFFFFFF1;
    /// <summary><c>TC_H_MAKE(TC_H_CLSACT, 0)</c>, the clsact qdisc's handle.</summary>
    internal const uint ClsactHandle = 0xFFFF0000;
    /// <summary><c>TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS)</c>.</summary>
    internal const uint IngressParent = 0xFFFFFFF2;
    /// <summary><c>TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS)</c>.</summary>
    internal const uint EgressParent = 0xFFFFFFF3;
    /// <summary><c>ETH_P_ALL</c>, the protocol libbpf's filters match.</summary>
    private const ushort EthernetAllProtocols = 0x0003;

    /// <summary>A 20-byte <c>struct tcmsg</c> (family AF_UNSPEC).</summary>
    internal static byte[] Header(int interfaceIndex, uint handle, uint parent, uint info)
    {
        var header = new byte[20];
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), interfaceIndex);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), handle);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), parent);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), info);
        return header;
    }

    /// <summary><c>tcm_info</c> of a filter: <c>TC_H_MAKE(priority &lt;&lt; 16, htons(ETH_P_ALL))</c>.</summary>
    internal static uint FilterInfo(ushort priority) => ((uint)priority << 16) | BinaryPrimitives.ReverseEndianness(EthernetAllProtocols);

    /// <summary>Reads handle and <c>tcm_info</c> back from a <c>tcmsg</c> reply.</summary>
    internal static bool TryReadHeader(ReadOnlySpan<byte> payload, out uint handle, out uint parent, out uint info)
    {
        handle = parent = info = 0;
        if (payload.Length < 20) return false;
        handle = BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]);
        parent = BinaryPrimitives.ReadUInt32LittleEndian(payload[12..]);
        info = BinaryPrimitives.ReadUInt32LittleEndian(payload[16..]);
        return true;
    }
}

/// <summary>
/// The <c>clsact</c> qdisc of an interface, which holds tc ingress and egress filters (<c>tc qdisc add dev X
/// clsact</c>). Needed by <see cref="TcFilter"/>; kernels since 6.6 also offer <see cref="TcxLink"/>, which needs none.
/// Disposing deletes the qdisc only if <see cref="Ensure(int)"/> created it; deleting it removes every filter on it.
/// It does so in the network namespace the qdisc was created in, from whichever thread disposes it.
/// </summary>
public sealed class ClsactQdisc : IDisposable
{
    // Kept while this object owns the qdisc: it stays bound to the network namespace the ifindex belongs to.
    private readonly RouteNetlink? _netlink;

    private ClsactQdisc(int interfaceIndex, RouteNetlink? netlink)
    {
        InterfaceIndex = interfaceIndex;
        _netlink = netlink;
    }

    /// <summary>The interface.</summary>
    public int InterfaceIndex { get; }

    /// <summary>True when this object created the qdisc (and so deletes it when disposed).</summary>
    public bool Created => _netlink is not null;

    /// <summary>True once disposed.</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>Creates the clsact qdisc on <paramref name="interfaceIndex"/> unless it already exists.</summary>
    /// <exception cref="BpfAttachException">The kernel refused (no such device, another root qdisc kind, ...).</exception>
    public static ClsactQdisc Ensure(int interfaceIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(interfaceIndex);
        var netlink = RouteNetlink.Open();
        try
        {
            Send(netlink, interfaceIndex, TcNetlink.NewQdisc, NetlinkRequest.FlagCreate | NetlinkRequest.FlagExclusive, "create clsact qdisc");
            return new ClsactQdisc(interfaceIndex, netlink);
        }
        catch (BpfAttachException e) when (e.Errno == Errno.EEXIST)
        {
            netlink.Dispose();
            return new ClsactQdisc(interfaceIndex, null);
        }
        catch
        {
            netlink.Dispose();
            throw;
        }
    }

    /// <summary>Creates the clsact qdisc on the interface named <paramref name="interfaceName"/> unless it exists.</summary>
    public static ClsactQdisc Ensure(string interfaceName) => Ensure(NetworkInterfaces.IndexOf(interfaceName));

    /// <summary>Deletes the clsact qdisc of <paramref name="interfaceIndex"/> and with it every tc filter on the interface.</summary>
    /// <exception cref="BpfAttachException">The kernel refused (ENOENT/EINVAL when there is none).</exception>
    public static void Delete(int interfaceIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(interfaceIndex);
        using var netlink = RouteNetlink.Open();
        Send(netlink, interfaceIndex, TcNetlink.DeleteQdisc, 0, "delete clsact qdisc");
    }

    /// <summary>Deletes the qdisc if this object created it (best effort: the interface may be gone already).</summary>
    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        if (_netlink is null) return;
        try
        {
            Send(_netlink, InterfaceIndex, TcNetlink.DeleteQdisc, 0, "delete clsact qdisc");
        }
        catch (BpfAttachException)
        {
            // Already deleted, or the interface went away with it.
        }
        finally
        {
            _netlink.Dispose();
        }
    }

    private static void Send(RouteNetlink netlink, int interfaceIndex, ushort type, ushort flags, string what)
    {
        var request = new NetlinkRequest(type, flags, TcNetlink.Header(interfaceIndex, TcNetlink.ClsactHandle, TcNetlink.ClsactParent, 0));
        request.AddString(TcNetlink.AttributeKind, "clsact");
        netlink.Execute(request, $"{what} on ifindex {interfaceIndex}");
    }
}

/// <summary>
/// A <see cref="BpfProgramType.SchedCls"/> program attached as a direct-action tc <c>bpf</c> filter on the clsact
/// qdisc of an interface, through rtnetlink (<c>tc filter add dev X ingress prio P handle H bpf da</c>; libbpf's
/// <c>bpf_tc_attach</c>). Works on every kernel with clsact (4.5+), where <see cref="TcxLink"/> needs 6.6. This is
/// no BPF link: the filter lives until <see cref="BpfLink.Dispose()"/> deletes it (or the qdisc or interface goes), in the
/// network namespace it was added in, whichever thread disposes it.
/// </summary>
public sealed class TcFilter : BpfLink
{
    // The filter's ifindex is one of the network namespace it was added in: its deletion goes through the same socket.
    private readonly RouteNetlink _netlink;

    private TcFilter(RouteNetlink netlink, int interfaceIndex, bool ingress, ushort priority, uint handle, int programId) : base(programId)
    {
        _netlink = netlink;
        InterfaceIndex = interfaceIndex;
        IsIngress = ingress;
        Priority = priority;
        Handle = handle;
    }

    /// <summary>The interface.</summary>
    public int InterfaceIndex { get; }

    /// <summary>True for ingress, false for egress.</summary>
    public bool IsIngress { get; }

    /// <summary>The filter's priority (the kernel's choice when 0 was asked for).</summary>
    public ushort Priority { get; }

    /// <summary>The filter's handle (the kernel's choice when 0 was asked for).</summary>
    public uint Handle { get; }

    /// <summary>
    /// Adds (or, with <paramref name="replace"/>, replaces) the filter. The clsact qdisc must exist
    /// (<see cref="ClsactQdisc.Ensure(int)"/>).
    /// </summary>
    /// <param name="program">The classifier.</param>
    /// <param name="interfaceIndex">The interface.</param>
    /// <param name="ingress">Ingress (true) or egress (false).</param>
    /// <param name="priority">The priority, 1..65535, or 0 to let the kernel pick (lower runs first).</param>
    /// <param name="handle">The handle, or 0 to let the kernel pick.</param>
    /// <param name="replace">Replace the filter with this priority and handle (which must then be given) instead of failing with EEXIST.</param>
    /// <exception cref="BpfAttachException">The kernel refused (no clsact qdisc: EINVAL; a filter there already: EEXIST).</exception>
    public static TcFilter Attach(BpfProgram program, int interfaceIndex, bool ingress, ushort priority = 0, uint handle = 0, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(interfaceIndex);
        if (replace && (priority == 0 || handle == 0))
            throw new ArgumentException("replacing a tc filter needs its priority and handle", nameof(replace));
        var parent = ingress ? TcNetlink.IngressParent : TcNetlink.EgressParent;
        var flags = (ushort)(NetlinkRequest.FlagCreate | NetlinkRequest.FlagEcho | (replace ? NetlinkRequest.FlagReplace : NetlinkRequest.FlagExclusive));
        var request = new NetlinkRequest(TcNetlink.NewFilter, flags, TcNetlink.Header(interfaceIndex, handle, parent, TcNetlink.FilterInfo(priority)));
        request.AddString(TcNetlink.AttributeKind, "bpf");
        var options = request.BeginNested(TcNetlink.AttributeOptions);
        using (var lease = program.FileDescriptor.Borrow())
            request.AddInt32(TcNetlink.BpfAttributeFd, lease.Fd);
        // tc shows this name; libbpf writes "<prog name>:[<prog id>]" the same way.
        request.AddString(TcNetlink.BpfAttributeName, $"{program.Name ?? "bpf"}:[{program.Id}]");
        request.AddUInt32(TcNetlink.BpfAttributeFlags, TcNetlink.BpfFlagDirectAction);
        request.EndNested(options);

        var where = $"{(replace ? "replace" : "add")} tc filter on ifindex {interfaceIndex} {(ingress ? "ingress" : "egress")} prio {priority} handle {handle:x}";
        var netlink = RouteNetlink.Open();
        try
        {
            var replies = netlink.Execute(request, where);
            // The echo of the new filter carries the priority and handle the kernel settled on.
            foreach (var reply in replies)
            {
                if (reply.Type == TcNetlink.NewFilter && TcNetlink.TryReadHeader(reply.Payload, out var h, out _, out var info) && h != 0)
                {
                    handle = h;
                    priority = (ushort)(info >> 16);
                }
            }
            if (priority == 0 || handle == 0) throw new BpfAttachException($"{where}: the kernel did not echo the new filter", 0);
            return new TcFilter(netlink, interfaceIndex, ingress, priority, handle, program.Id);
        }
        catch
        {
            netlink.Dispose();
            throw;
        }
    }

    /// <summary>Adds the filter on the interface named <paramref name="interfaceName"/>.</summary>
    public static TcFilter Attach(BpfProgram program, string interfaceName, bool ingress, ushort priority = 0, uint handle = 0, bool replace = false) =>
        Attach(program, NetworkInterfaces.IndexOf(interfaceName), ingress, priority, handle, replace);

    /// <summary>
    /// The program id of the bpf filter at <paramref name="priority"/>/<paramref name="handle"/> (<c>RTM_GETTFILTER</c>;
    /// libbpf's <c>bpf_tc_query</c>), or null when there is none.
    /// </summary>
    /// <exception cref="BpfAttachException">The kernel refused for another reason than a missing filter.</exception>
    public static int? Query(int interfaceIndex, bool ingress, ushort priority, uint handle)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(interfaceIndex);
        var parent = ingress ? TcNetlink.IngressParent : TcNetlink.EgressParent;
        var request = new NetlinkRequest(TcNetlink.GetFilter, 0, TcNetlink.Header(interfaceIndex, handle, parent, TcNetlink.FilterInfo(priority)));
        request.AddString(TcNetlink.AttributeKind, "bpf");
        List<NetlinkReply> replies;
        using (var netlink = RouteNetlink.Open())
        {
            try
            {
                replies = netlink.Execute(request, $"query tc filter on ifindex {interfaceIndex} prio {priority} handle {handle:x}");
            }
            catch (BpfAttachException e) when (e.Errno is Errno.ENOENT or Errno.EINVAL)
            {
                return null;
            }
        }
        foreach (var reply in replies)
        {
            if (reply.Type != TcNetlink.NewFilter || reply.Payload.Length < 20) continue;
            foreach (var (type, value) in RouteNetlink.Attributes(reply.Payload.AsSpan(20)))
            {
                if (type != TcNetlink.AttributeOptions) continue;
                foreach (var (inner, innerValue) in RouteNetlink.Attributes(value))
                    if (inner == TcNetlink.BpfAttributeId && innerValue.Length >= 4)
                        return BinaryPrimitives.ReadInt32LittleEndian(innerValue);
            }
        }
        return null;
    }

    /// <summary>Deletes the filter (best effort: the qdisc or the interface may be gone, taking it along).</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            var parent = IsIngress ? TcNetlink.IngressParent : TcNetlink.EgressParent;
            var request = new NetlinkRequest(TcNetlink.DeleteFilter, 0, TcNetlink.Header(InterfaceIndex, Handle, parent, TcNetlink.FilterInfo(Priority)));
            request.AddString(TcNetlink.AttributeKind, "bpf");
            try
            {
                _netlink.Execute(request, "delete tc filter");
            }
            catch (BpfAttachException)
            {
                // Gone already.
            }
            finally
            {
                _netlink.Dispose();
            }
        }
        base.Dispose(disposing);
    }

    /// <inheritdoc />
    public override string ToString() => $"tc filter ifindex {InterfaceIndex} {(IsIngress ? "ingress" : "egress")} prio {Priority} handle {Handle:x} prog {ProgramId}";
}
