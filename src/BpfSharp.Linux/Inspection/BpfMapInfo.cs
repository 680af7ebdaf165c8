using System.Text;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Inspection;

/// <summary>
/// What the kernel reports about a map (<c>struct bpf_map_info</c> and the fd's fdinfo), the data behind
/// <c>bpftool map show</c>.
/// </summary>
public sealed class BpfMapInfo
{
    /// <summary>The map id.</summary>
    public required int Id { get; init; }
    /// <summary>The map type.</summary>
    public required BpfMapType Type { get; init; }
    /// <summary>The map name (at most 15 bytes), or empty.</summary>
    public required string Name { get; init; }
    /// <summary>Key size in bytes.</summary>
    public required int KeySize { get; init; }
    /// <summary>Value size in bytes (per CPU for per-CPU maps).</summary>
    public required int ValueSize { get; init; }
    /// <summary>Maximum number of entries.</summary>
    public required int MaxEntries { get; init; }
    /// <summary>The creation flags (<c>BPF_F_*</c>).</summary>
    public required uint Flags { get; init; }
    /// <summary>The offload device's ifindex, or 0.</summary>
    public required int Ifindex { get; init; }
    /// <summary>The id of the BTF describing key and value, or 0.</summary>
    public required int BtfId { get; init; }
    /// <summary>The key's type id in <see cref="BtfId"/>, or 0.</summary>
    public required int BtfKeyTypeId { get; init; }
    /// <summary>The value's type id in <see cref="BtfId"/>, or 0.</summary>
    public required int BtfValueTypeId { get; init; }
    /// <summary>The value's type id in the kernel's BTF (struct_ops maps), or 0.</summary>
    public required int BtfVmlinuxValueTypeId { get; init; }
    /// <summary>Bytes of memory charged to the map (fdinfo <c>memlock</c>), or null when not reported.</summary>
    public required long? Memlock { get; init; }
    /// <summary>True when the map was frozen (fdinfo <c>frozen</c>).</summary>
    public required bool Frozen { get; init; }
    /// <summary>For a prog array: the program type it holds (fdinfo <c>owner_prog_type</c>), or null.</summary>
    public required int? OwnerProgramType { get; init; }
    /// <summary>For a prog array: whether its programs are JIT-compiled (fdinfo <c>owner_jited</c>), or null.</summary>
    public required bool? OwnerJited { get; init; }

    /// <summary>bpftool's name for the map type (<c>hash</c>, <c>percpu_array</c>, ...).</summary>
    public string TypeName => BpfTypeNames.Of(Type);

    /// <summary>True for the per-CPU types, whose lookups return one value per possible CPU.</summary>
    public bool IsPerCpu => IsPerCpuType(Type);

    /// <summary>True for the types whose values are held per possible CPU (bpftool's <c>map_is_per_cpu</c>).</summary>
    public static bool IsPerCpuType(BpfMapType type) => type is BpfMapType.PerCpuHash or BpfMapType.PerCpuArray
        or BpfMapType.LruPerCpuHash or BpfMapType.PerCpuCgroupStorage;

    /// <summary>Reads the info of the map behind <paramref name="fd"/>.</summary>
    /// <exception cref="BpfSyscallException">The fd is not a map.</exception>
    public static unsafe BpfMapInfo Read(BpfFileDescriptor fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        var info = default(MapInfo);
        BpfSyscall.GetInfo(fd, ref info);
        var nameBytes = new ReadOnlySpan<byte>(info.Name, 16);
        var end = nameBytes.IndexOf((byte)0);
        var type = (BpfMapType)info.Type;
        long? ownerType = type == BpfMapType.ProgArray ? FdInfo.ReadInteger(fd, "owner_prog_type") : null;
        long? ownerJited = type == BpfMapType.ProgArray ? FdInfo.ReadInteger(fd, "owner_jited") : null;
        return new BpfMapInfo
        {
            Id = (int)info.Id,
            Type = type,
            Name = Encoding.UTF8.GetString(end < 0 ? nameBytes : nameBytes[..end]),
            KeySize = (int)info.KeySize,
            ValueSize = (int)info.ValueSize,
            MaxEntries = (int)info.MaxEntries,
            Flags = info.MapFlags,
            Ifindex = (int)info.Ifindex,
            BtfId = (int)info.BtfId,
            BtfKeyTypeId = (int)info.BtfKeyTypeId,
            BtfValueTypeId = (int)info.BtfValueTypeId,
            BtfVmlinuxValueTypeId = (int)info.BtfVmlinuxValueTypeId,
            Memlock = FdInfo.ReadInteger(fd, "memlock"),
            Frozen = FdInfo.ReadInteger(fd, "frozen") is > 0,
            OwnerProgramType = ownerType is { } t ? (int)t : null,
            OwnerJited = ownerJited is { } j ? j != 0 : null,
        };
    }

    /// <summary>
    /// The map's <c>struct bpf_map_info</c> as the kernel fills it into <paramref name="size"/> bytes (the running
    /// kernel's size of the struct, from its BTF): to print it through the kernel's own type, as bpftool's
    /// <c>struct_ops dump</c> does. Bytes past the fields the kernel fills stay zero.
    /// </summary>
    /// <exception cref="BpfSyscallException">The fd is not a map, or the kernel refused.</exception>
    public static unsafe byte[] ReadRaw(BpfFileDescriptor fd, int size)
    {
        ArgumentNullException.ThrowIfNull(fd);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        // A buffer longer than the kernel's struct is accepted when the excess is zero (it stays so); a shorter one is filled as far as it goes.
        var bytes = new byte[size];
        using var lease = fd.Borrow();
        fixed (byte* p = bytes)
        {
            var attr = new ObjGetInfoByFdAttr { BpfFd = (uint)lease.Fd, InfoLen = (uint)size, Info = (ulong)p };
            BpfSyscall.Bpf(BpfCommand.ObjGetInfoByFd, ref attr);
        }
        return bytes;
    }

    /// <summary>Every map in the kernel, in id order. Maps that vanish while listing are skipped.</summary>
    /// <exception cref="BpfSyscallException">The kernel refused (EPERM without CAP_SYS_ADMIN).</exception>
    public static List<BpfMapInfo> ListAll()
    {
        var result = new List<BpfMapInfo>();
        foreach (var id in BpfObjectLookup.Ids(BpfObjectKind.Map))
        {
            using var fd = BpfObjectLookup.TryOpenById(BpfObjectKind.Map, id);
            if (fd is not null) result.Add(Read(fd));
        }
        return result;
    }
}
