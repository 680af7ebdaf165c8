using System.Runtime.InteropServices;
using System.Text;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Inspection;

/// <summary>A program attached to a cgroup, as <c>BPF_PROG_QUERY</c> reports it.</summary>
/// <param name="ProgramId">The program id.</param>
/// <param name="AttachType">The hook.</param>
/// <param name="AttachFlags"><c>BPF_F_ALLOW_OVERRIDE</c> (1), <c>BPF_F_ALLOW_MULTI</c> (2) or 0 (a link, or the only program).</param>
/// <param name="Name">The program name (at most 15 bytes), empty if it vanished meanwhile.</param>
/// <param name="AttachBtfObjectId">The BTF object of the attach target (LSM cgroup programs), else 0.</param>
/// <param name="AttachBtfId">The attach target's type id in that BTF, else 0.</param>
public readonly record struct CgroupProgram(int ProgramId, BpfAttachType AttachType, uint AttachFlags, string Name,
    int AttachBtfObjectId, int AttachBtfId);

/// <summary>
/// What is attached to a cgroup v2 directory, for every attach type the kernel can be asked about: the data behind
/// <c>bpftool cgroup show</c> and <c>cgroup tree</c>.
/// </summary>
public static class CgroupPrograms
{
    private const uint QueryEffective = 1; // BPF_F_QUERY_EFFECTIVE
    private const int MaxPrograms = 1024;   // bpftool's buffer: a cgroup holds at most 64 per hook anyway

    /// <summary>
    /// The programs attached to the cgroup at <paramref name="cgroupPath"/>, by attach type in numeric order then in
    /// the kernel's order. With <paramref name="effective"/>, the programs that run for it (inherited ones too).
    /// </summary>
    /// <exception cref="Links.BpfAttachException">The directory cannot be opened.</exception>
    /// <exception cref="BpfSyscallException">The kernel refused a query for a reason other than an unsupported attach type.</exception>
    public static List<CgroupProgram> Query(string cgroupPath, bool effective = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(cgroupPath);
        var raw = LibC.Open(cgroupPath, LibC.OReadOnly | LibC.OCloexec);
        if (raw < 0) throw new Links.BpfAttachException($"can't open cgroup {cgroupPath}", Marshal.GetLastPInvokeError());
        using var cgroup = new BpfFileDescriptor(raw);
        var result = new List<CgroupProgram>();
        for (int type = 0; type < BpfAttachTypeNames.Count; type++)
        {
            // tcx and netkit queries name a network device by ifindex, not an fd: asking them about a cgroup fd
            // would ask about whatever device has that number.
            if (type is >= 46 and <= 47 or >= 54 and <= 55) continue;
            foreach (var (id, flags) in QueryOne(cgroup, (BpfAttachType)type, effective))
                result.Add(Describe(id, (BpfAttachType)type, flags));
        }
        return result;
    }

    private static unsafe List<(uint Id, uint Flags)> QueryOne(BpfFileDescriptor cgroup, BpfAttachType type, bool effective)
    {
        var ids = new uint[MaxPrograms];
        var flags = new uint[MaxPrograms];
        using var lease = cgroup.Borrow();
        fixed (uint* pIds = ids, pFlags = flags)
        {
            var attr = new ProgQueryAttr
            {
                TargetFd = (uint)lease.Fd,
                AttachType = (uint)type,
                QueryFlags = effective ? QueryEffective : 0,
                ProgIds = (ulong)pIds,
                ProgCount = MaxPrograms,
                // Per-program flags exist for direct attachments only; the kernel refuses them with an effective query.
                ProgAttachFlags = effective ? 0 : (ulong)pFlags,
            };
            var status = BpfSyscall.TryBpf(BpfCommand.ProgQuery, ref attr);
            // EINVAL: the kernel cannot query this attach type on a cgroup (not a cgroup hook, or newer than it).
            if (status == -Errno.EINVAL) return [];
            if (status < 0) BpfSyscall.ThrowFailed(BpfCommand.ProgQuery, -status);
            var list = new List<(uint, uint)>((int)attr.ProgCount);
            for (int i = 0; i < attr.ProgCount && i < MaxPrograms; i++)
                list.Add((ids[i], effective ? attr.AttachFlags : flags[i]));
            return list;
        }
    }

    private static unsafe CgroupProgram Describe(uint id, BpfAttachType type, uint flags)
    {
        using var fd = BpfObjectIds.TryOpen(BpfObjectKind.Program, id);
        if (fd is null) return new((int)id, type, flags, "", 0, 0);
        var info = default(ProgInfoForAttach);
        BpfSyscall.GetInfo(fd, ref info);
        var name = new ReadOnlySpan<byte>(info.Name, 16);
        var end = name.IndexOf((byte)0);
        return new((int)id, type, flags, Encoding.UTF8.GetString(end < 0 ? name : name[..end]), (int)info.AttachBtfObjectId, (int)info.AttachBtfId);
    }

    /// <summary><c>BPF_PROG_QUERY</c>'s part of <c>union bpf_attr</c>.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 40)]
    private struct ProgQueryAttr
    {
        [FieldOffset(0)] public uint TargetFd;
        [FieldOffset(4)] public uint AttachType;
        [FieldOffset(8)] public uint QueryFlags;
        [FieldOffset(12)] public uint AttachFlags;
        [FieldOffset(16)] public ulong ProgIds;
        [FieldOffset(24)] public uint ProgCount;
        [FieldOffset(32)] public ulong ProgAttachFlags;
    }

    /// <summary><c>struct bpf_prog_info</c> up to <c>attach_btf_id</c> (5.18+; older kernels fill less and leave zeros).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 228)]
    private unsafe struct ProgInfoForAttach
    {
        [FieldOffset(4)] public uint Id;
        [FieldOffset(64)] public fixed byte Name[16];
        [FieldOffset(220)] public uint AttachBtfObjectId;
        [FieldOffset(224)] public uint AttachBtfId;
    }
}
