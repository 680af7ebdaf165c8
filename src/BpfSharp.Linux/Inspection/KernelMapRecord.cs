using System.Runtime.InteropServices;
using System.Text;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Inspection;

/// <summary>
/// The fields of <c>struct bpf_map_info</c> that say what a map is and which BTF describes it: what
/// <c>bpftool btf show</c> (which maps use a BTF object), <c>btf dump map</c> and <c>struct_ops show</c> read.
/// </summary>
/// <param name="Id">The map id.</param>
/// <param name="Type">The map type.</param>
/// <param name="Name">The map name (at most 15 bytes), or empty.</param>
/// <param name="BtfId">The BTF object describing key and value, or 0.</param>
/// <param name="KeyTypeId">The key's type id in that BTF, or 0.</param>
/// <param name="ValueTypeId">The value's type id in that BTF, or 0.</param>
/// <param name="VmlinuxValueTypeId">For struct_ops maps: the kernel's <c>bpf_struct_ops_*</c> value type id, else 0.</param>
/// <param name="VmlinuxBtfId">For struct_ops maps: the kernel BTF object that type id belongs to, else 0.</param>
public readonly record struct KernelMapRecord(int Id, BpfMapType Type, string Name, int BtfId, int KeyTypeId, int ValueTypeId,
    int VmlinuxValueTypeId, int VmlinuxBtfId)
{
    /// <summary>Every map in id order; maps that vanish while listing are skipped.</summary>
    /// <exception cref="BpfSyscallException">The kernel refused (EPERM without CAP_SYS_ADMIN).</exception>
    public static List<KernelMapRecord> ListAll()
    {
        var result = new List<KernelMapRecord>();
        foreach (var id in BpfObjectIds.All(BpfObjectKind.Map))
        {
            using var fd = BpfObjectIds.TryOpen(BpfObjectKind.Map, id);
            if (fd is not null) result.Add(Read(fd));
        }
        return result;
    }

    /// <summary>One map by id.</summary>
    /// <exception cref="BpfSyscallException">No such map (ENOENT) or the kernel refused.</exception>
    public static KernelMapRecord ReadById(int id)
    {
        using var fd = BpfObjectIds.Open(BpfObjectKind.Map, (uint)id);
        return Read(fd);
    }

    /// <summary>Reads the record of the map behind <paramref name="fd"/>.</summary>
    public static unsafe KernelMapRecord Read(BpfFileDescriptor fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        var info = default(MapInfo);
        BpfSyscall.GetInfo(fd, ref info);
        var name = new ReadOnlySpan<byte>(info.Name, 16);
        var end = name.IndexOf((byte)0);
        return new((int)info.Id, (BpfMapType)info.Type, Encoding.UTF8.GetString(end < 0 ? name : name[..end]), (int)info.BtfId,
            (int)info.BtfKeyTypeId, (int)info.BtfValueTypeId, (int)info.BtfVmlinuxValueTypeId, (int)info.BtfVmlinuxId);
    }

    /// <summary><c>struct bpf_map_info</c> up to <c>btf_vmlinux_id</c> (5.x kernels know all of it).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 80)]
    private unsafe struct MapInfo
    {
        [FieldOffset(0)] public uint Type;
        [FieldOffset(4)] public uint Id;
        [FieldOffset(24)] public fixed byte Name[16];
        [FieldOffset(44)] public uint BtfVmlinuxValueTypeId;
        [FieldOffset(64)] public uint BtfId;
        [FieldOffset(68)] public uint BtfKeyTypeId;
        [FieldOffset(72)] public uint BtfValueTypeId;
        [FieldOffset(76)] public uint BtfVmlinuxId;
    }
}
