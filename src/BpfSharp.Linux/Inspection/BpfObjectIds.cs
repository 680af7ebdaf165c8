using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Inspection;

/// <summary>The kinds of kernel BPF objects that have an id space.</summary>
public enum BpfObjectKind
{
    /// <summary>Programs (<c>BPF_PROG_GET_NEXT_ID</c>).</summary>
    Program,
    /// <summary>Maps (<c>BPF_MAP_GET_NEXT_ID</c>).</summary>
    Map,
    /// <summary>BTF objects (<c>BPF_BTF_GET_NEXT_ID</c>).</summary>
    Btf,
    /// <summary>Links (<c>BPF_LINK_GET_NEXT_ID</c>).</summary>
    Link,
}

/// <summary>
/// Walks the kernel's id spaces (<c>BPF_*_GET_NEXT_ID</c>) and opens objects by id (<c>BPF_*_GET_FD_BY_ID</c>):
/// the enumeration under <c>bpftool prog|map|btf show</c>.
/// </summary>
public static class BpfObjectIds
{
    /// <summary>Every id of one kind, ascending. The kernel's answer is a snapshot: objects may vanish before they are opened.</summary>
    /// <exception cref="BpfSyscallException">The kernel refused (EPERM without CAP_SYS_ADMIN).</exception>
    public static IEnumerable<uint> All(BpfObjectKind kind)
    {
        var command = kind switch
        {
            BpfObjectKind.Program => BpfCommand.ProgGetNextId,
            BpfObjectKind.Map => BpfCommand.MapGetNextId,
            BpfObjectKind.Btf => BpfCommand.BtfGetNextId,
            _ => BpfCommand.LinkGetNextId,
        };
        uint id = 0;
        while (true)
        {
            var next = new GetIdAttr { StartId = id };
            var status = BpfSyscall.TryBpf(command, ref next);
            if (status == -Errno.ENOENT) yield break;
            if (status < 0) BpfSyscall.ThrowFailed(command, -status);
            id = next.NextId;
            yield return id;
        }
    }

    /// <summary>Opens an object by id; null when there is none (ENOENT).</summary>
    /// <exception cref="BpfSyscallException">Any other refusal (EPERM without CAP_SYS_ADMIN).</exception>
    public static BpfFileDescriptor? TryOpen(BpfObjectKind kind, uint id)
    {
        var command = FdById(kind);
        var byId = new GetIdAttr { StartId = id };
        var fd = BpfSyscall.TryBpf(command, ref byId);
        if (fd == -Errno.ENOENT) return null;
        if (fd < 0) BpfSyscall.ThrowFailed(command, -fd);
        return new BpfFileDescriptor(fd);
    }

    /// <summary>Opens an object by id.</summary>
    /// <exception cref="BpfSyscallException">No such object (ENOENT) or the kernel refused.</exception>
    public static BpfFileDescriptor Open(BpfObjectKind kind, uint id)
    {
        var byId = new GetIdAttr { StartId = id };
        return BpfSyscall.BpfCreate(FdById(kind), ref byId);
    }

    private static BpfCommand FdById(BpfObjectKind kind) => kind switch
    {
        BpfObjectKind.Program => BpfCommand.ProgGetFdById,
        BpfObjectKind.Map => BpfCommand.MapGetFdById,
        BpfObjectKind.Btf => BpfCommand.BtfGetFdById,
        _ => BpfCommand.LinkGetFdById,
    };
}
