using System.Runtime.InteropServices;
using System.Text;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Inspection;

/// <summary>
/// What the kernel reports about a link (<c>struct bpf_link_info</c>), the data behind <c>bpftool link show</c>.
/// Type-specific members are set for the link types that have them and null otherwise.
/// </summary>
public sealed class BpfLinkInfo
{
    /// <summary>The link id.</summary>
    public required int Id { get; init; }
    /// <summary>The kernel's <c>enum bpf_link_type</c> value.</summary>
    public required int Type { get; init; }
    /// <summary>The attached program's id.</summary>
    public required int ProgramId { get; init; }
    /// <summary>Raw tracepoint links: the tracepoint name.</summary>
    public string? TracepointName { get; init; }
    /// <summary>Iterator links: the iterator target name.</summary>
    public string? IteratorTarget { get; init; }
    /// <summary>Iterator links over a map: the map id.</summary>
    public int? IteratorMapId { get; init; }
    /// <summary>The attach type (<c>enum bpf_attach_type</c>) for tracing, cgroup, netns, tcx, netkit and sockmap links.</summary>
    public int? AttachType { get; init; }
    /// <summary>Cgroup links: the cgroup id.</summary>
    public ulong? CgroupId { get; init; }
    /// <summary>Netns links: the network namespace inode.</summary>
    public uint? NetnsInode { get; init; }
    /// <summary>XDP, tcx and netkit links: the interface index.</summary>
    public int? Ifindex { get; init; }
    /// <summary>Tracing links: the target's BTF object id and type id.</summary>
    public (int ObjectId, int TypeId)? TracingTarget { get; init; }
    /// <summary>struct_ops and sockmap links: the map id.</summary>
    public int? MapId { get; init; }

    /// <summary>libbpf's (bpftool's) name for the link type, or null for types it does not name.</summary>
    public string? TypeName => TypeNameOf(Type);

    private static readonly string[] LinkTypes =
    [
        "unspec", "raw_tracepoint", "tracing", "cgroup", "iter", "netns", "xdp", "perf_event", "kprobe_multi",
        "struct_ops", "netfilter", "tcx", "uprobe_multi", "netkit", "sockmap",
    ];

    /// <summary>libbpf's name for a link type, or null for a type newer than this library.</summary>
    public static string? TypeNameOf(int type) => (uint)type < (uint)LinkTypes.Length ? LinkTypes[type] : null;

    /// <summary>libbpf's name for an attach type (<c>cgroup_inet_ingress</c>, <c>tcx_ingress</c>, ...), or null when unknown.</summary>
    public static string? AttachTypeNameOf(int attachType) => BpfAttachTypeNames.TryOf((BpfAttachType)attachType);

    /// <summary>Reads the info of the link behind <paramref name="fd"/>.</summary>
    /// <exception cref="BpfSyscallException">The fd is not a link.</exception>
    public static unsafe BpfLinkInfo Read(BpfFileDescriptor fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        var info = default(RawLinkInfo);
        BpfSyscall.GetInfo(fd, ref info);
        var type = (int)info.Type;
        string? name = null;
        if (type is 1 or 4)
        {
            // The name comes with a second call that passes a buffer for it.
            var buffer = new byte[256];
            fixed (byte* p = buffer)
            {
                var again = default(RawLinkInfo);
                again.U64At16 = (ulong)p;
                again.U32At24 = (uint)buffer.Length;
                BpfSyscall.GetInfo(fd, ref again);
                info = again;
            }
            var end = Array.IndexOf(buffer, (byte)0);
            name = Encoding.UTF8.GetString(buffer, 0, end < 0 ? buffer.Length : end);
        }
        return type switch
        {
            1 => Base(info) with { TracepointName = name },
            2 => Base(info) with { AttachType = (int)info.U32At16, TracingTarget = ((int)info.U32At20, (int)info.U32At24) },
            3 => Base(info) with { CgroupId = info.U64At16, AttachType = (int)info.U32At24 },
            4 => Base(info) with
            {
                IteratorTarget = name,
                IteratorMapId = name is "bpf_map_elem" or "bpf_sk_storage_map" ? (int)info.U32At28 : null,
            },
            5 => Base(info) with { NetnsInode = info.U32At16, AttachType = (int)info.U32At20 },
            6 => Base(info) with { Ifindex = (int)info.U32At16 },
            9 => Base(info) with { MapId = (int)info.U32At16 },
            11 or 13 => Base(info) with { Ifindex = (int)info.U32At16, AttachType = (int)info.U32At20 },
            14 => Base(info) with { MapId = (int)info.U32At16, AttachType = (int)info.U32At20 },
            _ => Base(info),
        };
    }

    private static Builder Base(in RawLinkInfo info) => new() { Id = (int)info.Id, Type = (int)info.Type, ProgramId = (int)info.ProgId };

    /// <summary>Every link in the kernel, in id order. Links that vanish while listing are skipped.</summary>
    /// <exception cref="BpfSyscallException">The kernel refused.</exception>
    public static List<BpfLinkInfo> ListAll()
    {
        var result = new List<BpfLinkInfo>();
        foreach (var id in BpfObjectLookup.Ids(BpfObjectKind.Link))
        {
            using var fd = BpfObjectLookup.TryOpenById(BpfObjectKind.Link, id);
            if (fd is not null) result.Add(Read(fd));
        }
        return result;
    }

    /// <summary>Detaches the link behind <paramref name="fd"/> (<c>BPF_LINK_DETACH</c>) whoever holds it.</summary>
    /// <exception cref="BpfSyscallException">The kernel refused (EOPNOTSUPP for link types that cannot be detached).</exception>
    public static void Detach(BpfFileDescriptor fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        using var lease = fd.Borrow();
        var attr = new LinkDetachAttr { LinkFd = (uint)lease.Fd };
        BpfSyscall.Bpf(BpfCommand.LinkDetach, ref attr);
    }

    // Collects the fields with 'with' expressions, then becomes the immutable info.
    private sealed record Builder
    {
        public int Id { get; init; }
        public int Type { get; init; }
        public int ProgramId { get; init; }
        public string? TracepointName { get; init; }
        public string? IteratorTarget { get; init; }
        public int? IteratorMapId { get; init; }
        public int? AttachType { get; init; }
        public ulong? CgroupId { get; init; }
        public uint? NetnsInode { get; init; }
        public int? Ifindex { get; init; }
        public (int, int)? TracingTarget { get; init; }
        public int? MapId { get; init; }

        public static implicit operator BpfLinkInfo(Builder b) => new()
        {
            Id = b.Id, Type = b.Type, ProgramId = b.ProgramId, TracepointName = b.TracepointName,
            IteratorTarget = b.IteratorTarget, IteratorMapId = b.IteratorMapId, AttachType = b.AttachType,
            CgroupId = b.CgroupId, NetnsInode = b.NetnsInode, Ifindex = b.Ifindex, TracingTarget = b.TracingTarget,
            MapId = b.MapId,
        };
    }

    /// <summary><c>struct bpf_link_info</c>: the common head and the first words of its per-type union.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    private struct RawLinkInfo
    {
        [FieldOffset(0)] public uint Type;
        [FieldOffset(4)] public uint Id;
        [FieldOffset(8)] public uint ProgId;
        [FieldOffset(16)] public ulong U64At16;
        [FieldOffset(16)] public uint U32At16;
        [FieldOffset(20)] public uint U32At20;
        [FieldOffset(24)] public uint U32At24;
        [FieldOffset(28)] public uint U32At28;
    }
}
