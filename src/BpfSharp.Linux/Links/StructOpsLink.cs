using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Links;

/// <summary>
/// A registered struct_ops map (e.g. a TCP congestion control): the map's value, with program fds in its function
/// pointer members, written to key 0 (<c>BPF_MAP_UPDATE_ELEM</c>), then for a map created with <c>BPF_F_LINK</c> a
/// <c>BPF_LINK_CREATE</c> of type <c>BPF_STRUCT_OPS</c> on the map, as libbpf's <c>bpf_map__attach_struct_ops</c>.
/// Disposing unregisters: the link is closed, or for a map without <c>BPF_F_LINK</c> key 0 is deleted.
/// </summary>
public sealed class StructOpsLink : BpfLink
{
    private readonly BpfMap? _unregisterOnDispose;

    private StructOpsLink(BpfFileDescriptor fd) : base(fd) { }

    private StructOpsLink(BpfMap map) : base(programId: 0) => _unregisterOnDispose = map;

    /// <summary>The id of the struct_ops map this registers.</summary>
    public int MapId { get; private init; }

    /// <summary>Registers <paramref name="map"/> with <paramref name="value"/> (the kernel's <c>bpf_struct_ops_NAME</c> layout).</summary>
    /// <exception cref="ArgumentException">The map is not a struct_ops map, or the value is not its size.</exception>
    /// <exception cref="BpfSyscallException">The kernel refused (e.g. EEXIST: a congestion control of that name exists).</exception>
    public static unsafe StructOpsLink Register(BpfMap map, ReadOnlySpan<byte> value)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.Type != BpfMapType.StructOps) throw new ArgumentException($"{map} is not a struct_ops map", nameof(map));
        if (value.Length != map.ValueSize) throw new ArgumentException($"{map}: value is {value.Length} bytes, the map's {map.ValueSize}", nameof(value));
        map.Update(stackalloc byte[4], value);
        // Its own fd on the map, so that unregistering works whoever closes the collection first.
        if ((map.Flags & BpfMapFlags.Link) == 0) return new StructOpsLink(map.Duplicate()) { MapId = map.Id };
        using var lease = map.FileDescriptor.Borrow();
        var attr = new LinkCreateAttr { ProgFd = (uint)lease.Fd, AttachType = (uint)BpfAttachType.StructOps };
        var fd = BpfSyscall.BpfCreate(BpfCommand.LinkCreate, ref attr);
        try
        {
            return new StructOpsLink(fd) { MapId = map.Id };
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        // libbpf's bpf_link__detach_struct_ops for a map without BPF_F_LINK: deleting key 0 unregisters.
        if (disposing && _unregisterOnDispose is { FileDescriptor.IsClosed: false } map)
        {
            try { map.Delete(stackalloc byte[4]); }
            finally { map.Dispose(); }
        }
        base.Dispose(disposing);
    }

    /// <inheritdoc />
    public override string ToString() => $"struct_ops link {Id} map {MapId}";
}
