using System.Runtime.InteropServices;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Links;

/// <summary>The order a cgroup iterator walks in (<c>enum bpf_cgroup_iter_order</c>).</summary>
public enum CgroupIterOrder : uint
{
    /// <summary>The kernel's default (pre-order descendants).</summary>
    Unspecified = 0,
    /// <summary>Only the given cgroup.</summary>
    Self = 1,
    /// <summary>Descendants, parents first.</summary>
    DescendantsPreOrder = 2,
    /// <summary>Descendants, children first.</summary>
    DescendantsPostOrder = 3,
    /// <summary>The cgroup and its ancestors, up to the root.</summary>
    AncestorsUp = 4,
}

/// <summary>
/// What an iterator link walks, for the iterators that take a parameter (<c>union bpf_iter_link_info</c>): the
/// elements of one map (<c>iter/bpf_map_elem</c>, <c>iter/bpf_sk_storage_map</c>), a cgroup hierarchy
/// (<c>iter/cgroup</c>) or one task or process (<c>iter/task</c>, <c>iter/task_file</c>, <c>iter/task_vma</c>).
/// </summary>
public sealed class IterTarget
{
    private readonly BpfMap? _map;
    private readonly string? _cgroupPath;
    private IterLinkInfo _info;

    private IterTarget(BpfMap? map, string? cgroupPath, IterLinkInfo info)
    {
        _map = map;
        _cgroupPath = cgroupPath;
        _info = info;
    }

    /// <summary>The elements of <paramref name="map"/> (the map must stay open while the link is created).</summary>
    public static IterTarget Map(BpfMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return new IterTarget(map, null, default);
    }

    /// <summary>The cgroup v2 directory <paramref name="cgroupPath"/>, walked in <paramref name="order"/>.</summary>
    public static IterTarget Cgroup(string cgroupPath, CgroupIterOrder order = CgroupIterOrder.Unspecified)
    {
        ArgumentException.ThrowIfNullOrEmpty(cgroupPath);
        return new IterTarget(null, cgroupPath, new IterLinkInfo { CgroupOrder = (uint)order });
    }

    /// <summary>The cgroup with kernel id <paramref name="cgroupId"/> (its inode number in cgroupfs), walked in <paramref name="order"/>.</summary>
    public static IterTarget CgroupId(ulong cgroupId, CgroupIterOrder order = CgroupIterOrder.Unspecified) =>
        new(null, null, new IterLinkInfo { CgroupOrder = (uint)order, CgroupId = cgroupId });

    /// <summary>Only the thread <paramref name="threadId"/>.</summary>
    public static IterTarget Thread(int threadId)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threadId);
        return new IterTarget(null, null, new IterLinkInfo { TaskTid = (uint)threadId });
    }

    /// <summary>The threads of process <paramref name="processId"/>.</summary>
    public static IterTarget Process(int processId)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(processId);
        return new IterTarget(null, null, new IterLinkInfo { TaskPid = (uint)processId });
    }

    /// <inheritdoc />
    public override string ToString() =>
        _map is not null ? $"map {_map.Id}" :
        _cgroupPath is not null ? $"cgroup {_cgroupPath} ({(CgroupIterOrder)_info.CgroupOrder})" :
        _info.CgroupId != 0 ? $"cgroup id {_info.CgroupId} ({(CgroupIterOrder)_info.CgroupOrder})" :
        _info.TaskTid != 0 ? $"thread {_info.TaskTid}" : $"process {_info.TaskPid}";

    /// <summary>Fills the link info (opening and borrowing what it needs) and runs <paramref name="create"/> with it.</summary>
    internal unsafe T With<T>(Func<ulong, uint, T> create)
    {
        if (_map is not null)
        {
            using var lease = _map.FileDescriptor.Borrow();
            var info = _info;
            info.MapFd = (uint)lease.Fd;
            return create((ulong)&info, (uint)sizeof(IterLinkInfo));
        }
        if (_cgroupPath is not null)
        {
            var raw = LibC.Open(_cgroupPath, LibC.OReadOnly | LibC.ODirectory | LibC.OCloexec);
            if (raw < 0) throw new BpfAttachException($"cannot open cgroup directory {_cgroupPath}", Marshal.GetLastPInvokeError());
            using var cgroup = new BpfFileDescriptor(raw);
            var info = _info;
            info.CgroupFd = (uint)raw;
            return create((ulong)&info, (uint)sizeof(IterLinkInfo));
        }
        var copy = _info;
        return create((ulong)&copy, (uint)sizeof(IterLinkInfo));
    }
}
