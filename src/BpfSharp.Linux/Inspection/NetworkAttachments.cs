using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using BpfSharp.Linux.Interop;
using BpfSharp.Linux.Links;

namespace BpfSharp.Linux.Inspection;

/// <summary>A network interface and what XDP holds on it (<c>RTM_GETLINK</c>).</summary>
/// <param name="Index">The ifindex.</param>
/// <param name="Name">The interface name.</param>
/// <param name="Xdp">The XDP programs per mode (all ids 0 when none).</param>
public readonly record struct NetworkInterfaceXdp(int Index, string Name, XdpAttachedPrograms Xdp);

/// <summary>A bpf classifier in a tc filter chain (<c>RTM_GETTFILTER</c>).</summary>
/// <param name="InterfaceIndex">The interface.</param>
/// <param name="Parent">The qdisc or class handle the filter hangs on (<c>tcm_parent</c>).</param>
/// <param name="Kind">bpftool's name of that parent: <c>clsact/ingress</c>, <c>clsact/egress</c>, <c>root</c> or the qdisc/class kind.</param>
/// <param name="Priority">The filter priority (<c>tcm_info</c> high 16 bits).</param>
/// <param name="Handle">The filter handle.</param>
/// <param name="Name">The name tc shows (<c>TCA_BPF_NAME</c>, e.g. <c>prog:[*fsobj]</c>), or null.</param>
/// <param name="ProgramId">The program (<c>TCA_BPF_ID</c>), 0 if the kernel did not say.</param>
public readonly record struct TcBpfFilter(int InterfaceIndex, uint Parent, string Kind, ushort Priority, uint Handle, string? Name, int ProgramId);

/// <summary>A program on a multi-program device hook: tcx ingress/egress or netkit (<c>BPF_PROG_QUERY</c> by ifindex).</summary>
/// <param name="AttachType">The hook.</param>
/// <param name="ProgramId">The program.</param>
/// <param name="ProgramFlags">Its attach flags (0 for link attachments).</param>
/// <param name="LinkId">The link holding it, 0 when attached without a link.</param>
/// <param name="LinkFlags">The link's attach flags.</param>
public readonly record struct DeviceHookProgram(BpfAttachType AttachType, int ProgramId, uint ProgramFlags, int LinkId, uint LinkFlags);

/// <summary>
/// What BPF holds in the networking of this thread's network namespace: XDP per interface, tc bpf filters, tcx and
/// netkit programs, the flow dissector. The data behind <c>bpftool net show</c>.
/// </summary>
public static class NetworkAttachments
{
    private const ushort NewLink = 16;
    private const ushort GetLink = 18;
    private const ushort GetQdisc = 38;
    private const ushort GetClass = 42;
    private const ushort NewFilter = 44;
    private const ushort LinkAttributeName = 3;
    private const ushort LinkAttributeXdp = 43;
    private const byte FamilyPacket = 17;
    private const uint RootParent = 0xFFFFFFFF; // TC_H_ROOT
    private const int MaxDeviceHookPrograms = 64; // bpftool's buffer; tcx holds at most 64 per hook

    /// <summary>Every interface in dump order with its XDP programs (libbpf's <c>bpf_xdp_query</c>, for all at once).</summary>
    /// <exception cref="BpfAttachException">The kernel refused the dump or answered malformed messages.</exception>
    public static List<NetworkInterfaceXdp> Interfaces()
    {
        var header = new byte[16];
        header[0] = FamilyPacket;
        var request = new NetlinkRequest(GetLink, NetlinkRequest.FlagDump, header);
        List<NetlinkReply> replies;
        using (var netlink = RouteNetlink.Open())
            replies = netlink.Execute(request, "dump network interfaces");
        var result = new List<NetworkInterfaceXdp>();
        foreach (var reply in replies)
        {
            if (reply.Type != NewLink || reply.Payload.Length < 16) continue;
            var index = BinaryPrimitives.ReadInt32LittleEndian(reply.Payload.AsSpan(4));
            string name = "";
            var xdp = new XdpAttachedPrograms(XdpAttachedMode.None, 0, 0, 0, 0);
            foreach (var (type, value) in RouteNetlink.Attributes(reply.Payload.AsSpan(16)))
            {
                if (type == LinkAttributeName) name = CString(value);
                else if (type == LinkAttributeXdp) xdp = XdpNetlinkAttachment.ParseXdpAttribute(value);
            }
            result.Add(new NetworkInterfaceXdp(index, name, xdp));
        }
        return result;
    }

    /// <summary>
    /// The bpf filters of <paramref name="interfaceIndex"/> in bpftool's order: those under each class and non-clsact
    /// qdisc, then under the root, then clsact ingress, then clsact egress; within a chain, in the kernel's order.
    /// </summary>
    /// <exception cref="BpfAttachException">The kernel refused a dump (no such interface, ...).</exception>
    public static List<TcBpfFilter> TcFilters(int interfaceIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(interfaceIndex);
        using var netlink = RouteNetlink.Open();
        var parents = new List<(uint Handle, string Kind)>();
        foreach (var reply in netlink.Execute(new NetlinkRequest(GetClass, NetlinkRequest.FlagDump, TcNetlink.Header(interfaceIndex, 0, 0, 0)), $"dump tc classes of ifindex {interfaceIndex}"))
            if (ReadTc(reply, out var handle, out _, out _, out var attributes) is var ifindex && ifindex == interfaceIndex)
                parents.Add((handle, KindOf(attributes) ?? "unknown"));
        foreach (var reply in netlink.Execute(new NetlinkRequest(GetQdisc, NetlinkRequest.FlagDump, TcNetlink.Header(interfaceIndex, 0, 0, 0)), $"dump qdiscs of ifindex {interfaceIndex}"))
        {
            if (ReadTc(reply, out var handle, out _, out _, out var attributes) != interfaceIndex) continue;
            var kind = KindOf(attributes);
            // clsact's chains are asked for below by their fixed parents; a qdisc without handle holds no filters.
            if (kind == "clsact" || handle == 0) continue;
            parents.Add((handle, kind ?? "unknown"));
        }
        parents.Add((RootParent, "root"));
        parents.Add((TcNetlink.IngressParent, "clsact/ingress"));
        parents.Add((TcNetlink.EgressParent, "clsact/egress"));

        var result = new List<TcBpfFilter>();
        foreach (var (parent, kind) in parents)
        {
            var request = new NetlinkRequest(TcNetlink.GetFilter, NetlinkRequest.FlagDump, TcNetlink.Header(interfaceIndex, 0, parent, 0));
            List<NetlinkReply> replies;
            try
            {
                replies = netlink.Execute(request, $"dump tc filters of ifindex {interfaceIndex} ({kind})");
            }
            catch (BpfAttachException e) when (e.Errno is Errno.EINVAL or Errno.ENOENT)
            {
                continue; // no such parent on this interface
            }
            foreach (var reply in replies)
            {
                if (reply.Type != NewFilter || ReadTc(reply, out var handle, out _, out var info, out var attributes) != interfaceIndex) continue;
                if (KindOf(attributes) != "bpf") continue;
                var options = attributes.FirstOrDefault(a => a.Type == TcNetlink.AttributeOptions).Value;
                if (options is null) continue;
                string? name = null;
                int programId = 0;
                foreach (var (type, value) in RouteNetlink.Attributes(options))
                {
                    if (type == TcNetlink.BpfAttributeName) name = CString(value);
                    else if (type == TcNetlink.BpfAttributeId && value.Length >= 4) programId = BinaryPrimitives.ReadInt32LittleEndian(value);
                }
                result.Add(new TcBpfFilter(interfaceIndex, parent, kind, (ushort)(info >> 16), handle, name, programId));
            }
        }
        return result;
    }

    /// <summary>
    /// The programs on a device hook (<see cref="BpfAttachType.TcxIngress"/>, <see cref="BpfAttachType.TcxEgress"/>,
    /// <see cref="BpfAttachType.NetkitPrimary"/>, <see cref="BpfAttachType.NetkitPeer"/>) in run order; empty when the
    /// kernel cannot query that hook on this device (before 6.6, or not a netkit device).
    /// </summary>
    public static unsafe List<DeviceHookProgram> DeviceHook(int interfaceIndex, BpfAttachType hook)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(interfaceIndex);
        var programIds = new uint[MaxDeviceHookPrograms];
        var programFlags = new uint[MaxDeviceHookPrograms];
        var linkIds = new uint[MaxDeviceHookPrograms];
        var linkFlags = new uint[MaxDeviceHookPrograms];
        fixed (uint* pIds = programIds, pFlags = programFlags, lIds = linkIds, lFlags = linkFlags)
        {
            var attr = new DeviceQueryAttr
            {
                TargetIfindex = (uint)interfaceIndex,
                AttachType = (uint)hook,
                ProgIds = (ulong)pIds,
                Count = MaxDeviceHookPrograms,
                ProgAttachFlags = (ulong)pFlags,
                LinkIds = (ulong)lIds,
                LinkAttachFlags = (ulong)lFlags,
            };
            // Any refusal (EINVAL before 6.6 or for a non-netkit device, ENODEV) means: nothing to show, as bpftool.
            if (BpfSyscall.TryBpf(BpfCommand.ProgQuery, ref attr) < 0) return [];
            var result = new List<DeviceHookProgram>((int)attr.Count);
            for (int i = 0; i < attr.Count && i < MaxDeviceHookPrograms; i++)
                result.Add(new DeviceHookProgram(hook, (int)programIds[i], programFlags[i], (int)linkIds[i], linkFlags[i]));
            return result;
        }
    }

    /// <summary>The flow dissector program of the calling thread's network namespace, or 0 (also on kernels that cannot say).</summary>
    /// <exception cref="BpfSyscallException">The kernel refused the query for another reason than not supporting it.</exception>
    public static unsafe int FlowDissector()
    {
        // thread-self, not self: /proc/self is the main thread, which may be in another namespace than the caller.
        var raw = LibC.Open("/proc/thread-self/ns/net", LibC.OReadOnly | LibC.OCloexec);
        if (raw < 0) throw new BpfAttachException("can't open /proc/thread-self/ns/net", Marshal.GetLastPInvokeError());
        using var netns = new BpfFileDescriptor(raw);
        using var lease = netns.Borrow();
        uint id = 0;
        var attr = new DeviceQueryAttr { TargetIfindex = (uint)lease.Fd, AttachType = (uint)BpfAttachType.FlowDissector, ProgIds = (ulong)&id, Count = 1 };
        var status = BpfSyscall.TryBpf(BpfCommand.ProgQuery, ref attr);
        if (status == -Errno.EINVAL) return 0;
        if (status < 0) BpfSyscall.ThrowFailed(BpfCommand.ProgQuery, -status);
        return attr.Count == 1 ? (int)id : 0;
    }

    private static int ReadTc(NetlinkReply reply, out uint handle, out uint parent, out uint info, out List<(ushort Type, byte[] Value)> attributes)
    {
        attributes = [];
        if (!TcNetlink.TryReadHeader(reply.Payload, out handle, out parent, out info)) return 0;
        attributes = RouteNetlink.Attributes(reply.Payload.AsSpan(20));
        return BinaryPrimitives.ReadInt32LittleEndian(reply.Payload.AsSpan(4));
    }

    private static string? KindOf(List<(ushort Type, byte[] Value)> attributes)
    {
        foreach (var (type, value) in attributes)
            if (type == TcNetlink.AttributeKind) return CString(value);
        return null;
    }

    private static string CString(byte[] value)
    {
        var end = Array.IndexOf(value, (byte)0);
        return Encoding.UTF8.GetString(value, 0, end < 0 ? value.Length : end);
    }

    /// <summary><c>BPF_PROG_QUERY</c>'s part of <c>union bpf_attr</c> with the 6.6 link fields.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    private struct DeviceQueryAttr
    {
        [FieldOffset(0)] public uint TargetIfindex;
        [FieldOffset(4)] public uint AttachType;
        [FieldOffset(8)] public uint QueryFlags;
        [FieldOffset(12)] public uint AttachFlags;
        [FieldOffset(16)] public ulong ProgIds;
        [FieldOffset(24)] public uint Count;
        [FieldOffset(32)] public ulong ProgAttachFlags;
        [FieldOffset(40)] public ulong LinkIds;
        [FieldOffset(48)] public ulong LinkAttachFlags;
        [FieldOffset(56)] public ulong Revision;
    }
}
