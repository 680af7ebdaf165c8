using System.Runtime.InteropServices;
using System.Text;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Inspection;

/// <summary>
/// A BTF object the kernel holds (<c>struct bpf_btf_info</c>): vmlinux, a module's BTF, or the BTF a program or map
/// was loaded with. The data behind <c>bpftool btf show</c>; <see cref="ReadData"/> gives the raw BTF to dump.
/// </summary>
public sealed class BpfBtfInfo
{
    /// <summary>The BTF object id.</summary>
    public required int Id { get; init; }
    /// <summary>The name: "vmlinux" or a module's name for kernel BTF, else what the loader gave (often empty).</summary>
    public required string Name { get; init; }
    /// <summary>Size of the raw BTF in bytes.</summary>
    public required uint Size { get; init; }
    /// <summary>True for BTF that came with the kernel (vmlinux or a module), not loaded by a process.</summary>
    public required bool IsKernel { get; init; }
    /// <summary>Programs whose BTF this is, in the order bpftool lists them; empty unless read with users.</summary>
    public IReadOnlyList<int> ProgramIds { get; init; } = [];
    /// <summary>Maps whose BTF this is, in the order bpftool lists them; empty unless read with users.</summary>
    public IReadOnlyList<int> MapIds { get; init; } = [];

    /// <summary>Every BTF object in the kernel in id order, with the programs and maps that use each.</summary>
    /// <exception cref="BpfSyscallException">The kernel refused (EPERM without CAP_SYS_ADMIN).</exception>
    public static List<BpfBtfInfo> ListAll()
    {
        var (programs, maps) = Users();
        var result = new List<BpfBtfInfo>();
        foreach (var id in BpfObjectIds.All(BpfObjectKind.Btf))
        {
            using var fd = BpfObjectIds.TryOpen(BpfObjectKind.Btf, id);
            if (fd is null) continue;
            result.Add(WithUsers(Read(fd), programs, maps));
        }
        return result;
    }

    /// <summary>One BTF object by id, with the programs and maps that use it.</summary>
    /// <exception cref="BpfSyscallException">No such BTF object (ENOENT) or the kernel refused.</exception>
    public static BpfBtfInfo ReadById(int id)
    {
        using var fd = BpfObjectIds.Open(BpfObjectKind.Btf, (uint)id);
        var info = Read(fd);
        var (programs, maps) = Users();
        return WithUsers(info, programs, maps);
    }

    /// <summary>The raw BTF bytes (header, types, strings) of BTF object <paramref name="id"/>, as the kernel holds them.</summary>
    /// <exception cref="BpfSyscallException">No such BTF object (ENOENT) or the kernel refused.</exception>
    public static unsafe byte[] ReadData(int id)
    {
        using var fd = BpfObjectIds.Open(BpfObjectKind.Btf, (uint)id);
        var info = default(BtfInfo);
        BpfSyscall.GetInfo(fd, ref info);
        // Second call with a buffer of the size the first reported; the kernel copies at most that many bytes.
        var data = new byte[info.BtfSize];
        fixed (byte* p = data)
        {
            var again = new BtfInfo { Btf = (ulong)p, BtfSize = (uint)data.Length };
            BpfSyscall.GetInfo(fd, ref again);
            if (again.BtfSize != data.Length)
                throw new IOException($"BTF object {id} changed size while it was read ({data.Length} -> {again.BtfSize} bytes)");
        }
        return data;
    }

    /// <summary>Reads the info of the BTF object behind <paramref name="fd"/> (without users).</summary>
    public static unsafe BpfBtfInfo Read(BpfFileDescriptor fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        var name = stackalloc byte[256];
        var info = new BtfInfo { Name = (ulong)name, NameLength = 256 };
        BpfSyscall.GetInfo(fd, ref info);
        var span = new ReadOnlySpan<byte>(name, 256);
        var end = span.IndexOf((byte)0);
        return new BpfBtfInfo
        {
            Id = (int)info.Id,
            Name = Encoding.UTF8.GetString(end < 0 ? span : span[..end]),
            Size = info.BtfSize,
            IsKernel = info.KernelBtf != 0,
        };
    }

    private static BpfBtfInfo WithUsers(BpfBtfInfo info, IdMultimapOrder programs, IdMultimapOrder maps) => new()
    {
        Id = info.Id,
        Name = info.Name,
        Size = info.Size,
        IsKernel = info.IsKernel,
        ProgramIds = [.. programs.ValuesOf((ulong)info.Id)],
        MapIds = [.. maps.ValuesOf((ulong)info.Id)],
    };

    /// <summary>
    /// Which programs and maps use which BTF id: the tables bpftool builds before listing, filled in the same order
    /// (ids ascending) into the same kind of table, so each object's users come out in bpftool's order.
    /// </summary>
    private static (IdMultimapOrder Programs, IdMultimapOrder Maps) Users()
    {
        var programs = new IdMultimapOrder();
        foreach (var id in BpfObjectIds.All(BpfObjectKind.Program))
        {
            using var fd = BpfObjectIds.TryOpen(BpfObjectKind.Program, id);
            if (fd is null) continue;
            var info = BpfProgramInfo.Read(fd);
            if (info.BtfId > 0) programs.Append((ulong)info.BtfId, info.Id);
        }
        var maps = new IdMultimapOrder();
        foreach (var map in KernelMapRecord.ListAll())
            if (map.BtfId > 0) maps.Append((ulong)map.BtfId, map.Id);
        return (programs, maps);
    }

    /// <summary><c>struct bpf_btf_info</c>.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 32)]
    private struct BtfInfo
    {
        [FieldOffset(0)] public ulong Btf;
        [FieldOffset(8)] public uint BtfSize;
        [FieldOffset(12)] public uint Id;
        [FieldOffset(16)] public ulong Name;
        [FieldOffset(24)] public uint NameLength;
        [FieldOffset(28)] public uint KernelBtf;
    }
}
