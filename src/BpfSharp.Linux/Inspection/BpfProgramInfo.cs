using System.Globalization;
using System.Text;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Inspection;

/// <summary>
/// What the kernel reports about a loaded program (<c>BPF_OBJ_GET_INFO_BY_FD</c>, <c>struct bpf_prog_info</c>),
/// the data behind <c>bpftool prog list</c>.
/// </summary>
public sealed class BpfProgramInfo
{
    /// <summary>The program id.</summary>
    public required int Id { get; init; }
    /// <summary>The program type.</summary>
    public required BpfProgramType Type { get; init; }
    /// <summary>The program name (at most 15 bytes), or empty.</summary>
    public required string Name { get; init; }
    /// <summary>The 8-byte program tag (hash of the instructions) as 16 hex digits.</summary>
    public required string Tag { get; init; }
    /// <summary>True when the license is GPL-compatible.</summary>
    public required bool GplCompatible { get; init; }
    /// <summary>Load time in nanoseconds since boot (<c>CLOCK_BOOTTIME</c>).</summary>
    public required ulong LoadTimeSinceBoot { get; init; }
    /// <summary>The uid that loaded the program.</summary>
    public required uint Uid { get; init; }
    /// <summary>Size of the verifier-rewritten program in bytes.</summary>
    public required uint XlatedSize { get; init; }
    /// <summary>Size of the JIT image in bytes (0 when not JIT-compiled).</summary>
    public required uint JitedSize { get; init; }
    /// <summary>Ids of the maps the program uses.</summary>
    public required IReadOnlyList<int> MapIds { get; init; }
    /// <summary>The program's BTF id, or 0.</summary>
    public required int BtfId { get; init; }
    /// <summary>Instructions the verifier processed (5.16+), or 0.</summary>
    public required uint VerifiedInstructions { get; init; }
    /// <summary>Total run time in nanoseconds (counted only while <c>kernel.bpf_stats_enabled</c> is on), or 0.</summary>
    public ulong RunTimeNanoseconds { get; init; }
    /// <summary>Number of runs (counted only while <c>kernel.bpf_stats_enabled</c> is on), or 0.</summary>
    public ulong RunCount { get; init; }
    /// <summary>Runs skipped because the program was already running on the CPU.</summary>
    public ulong RecursionMisses { get; init; }
    /// <summary>Bytes of memory charged to the program (fdinfo <c>memlock</c>), or null when not reported.</summary>
    public long? Memlock { get; init; }
    /// <summary>The offload device's ifindex, or 0.</summary>
    public int Ifindex { get; init; }
    /// <summary>
    /// <c>attach_btf_id</c>: the type id of what a tracing, LSM, freplace or struct_ops program attaches to (in
    /// vmlinux, a module's BTF or the target program's BTF), or 0.
    /// </summary>
    public int AttachBtfId { get; init; }
    /// <summary><c>attach_btf_obj_id</c>: the BTF object <see cref="AttachBtfId"/> belongs to, or 0.</summary>
    public int AttachBtfObjectId { get; init; }

    /// <summary>The load time as wall-clock time (boot time taken from <c>/proc/uptime</c>).</summary>
    public DateTimeOffset LoadedAt
    {
        get
        {
            var uptime = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], CultureInfo.InvariantCulture);
            var boot = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(uptime);
            return boot + TimeSpan.FromTicks((long)(LoadTimeSinceBoot / 100));
        }
    }

    /// <summary>bpftool's name for the program type (<c>sched_cls</c>, <c>raw_tracepoint</c>, ...).</summary>
    public string TypeName => TypeNameOf(Type);

    /// <summary>bpftool's (libbpf's) name for a program type.</summary>
    public static string TypeNameOf(BpfProgramType type) => BpfTypeNames.Of(type);

    /// <summary>Every program in the kernel, in id order (<c>BPF_PROG_GET_NEXT_ID</c>). Programs that vanish while listing are skipped.</summary>
    /// <exception cref="BpfSyscallException">The kernel refused (EPERM without CAP_SYS_ADMIN).</exception>
    public static List<BpfProgramInfo> ListAll()
    {
        var result = new List<BpfProgramInfo>();
        uint id = 0;
        while (true)
        {
            var next = new GetIdAttr { StartId = id };
            var status = BpfSyscall.TryBpf(BpfCommand.ProgGetNextId, ref next);
            if (status == -Errno.ENOENT) break;
            if (status < 0) BpfSyscall.ThrowFailed(BpfCommand.ProgGetNextId, -status);
            id = next.NextId;
            var byId = new GetIdAttr { StartId = id };
            var fd = BpfSyscall.TryBpf(BpfCommand.ProgGetFdById, ref byId);
            if (fd == -Errno.ENOENT) continue;
            if (fd < 0) BpfSyscall.ThrowFailed(BpfCommand.ProgGetFdById, -fd);
            using var handle = new BpfFileDescriptor(fd);
            result.Add(Read(handle));
        }
        return result;
    }

    /// <summary>
    /// The program's whole name, as bpftool shows it: the kernel keeps 15 bytes of a name, so a name that long may be
    /// cut, and then the program's first FUNC in its BTF has the whole name.
    /// </summary>
    public static string ReadFullName(BpfFileDescriptor fd, BpfProgramInfo info)
    {
        ArgumentNullException.ThrowIfNull(fd);
        ArgumentNullException.ThrowIfNull(info);
        return info.Name.Length < 15 ? info.Name : ReadBtfName(fd, info) ?? info.Name;
    }

    /// <summary>
    /// The name of the program's first FUNC in its BTF (its entry function, as the compiler named it), or null
    /// when it has no BTF or the kernel will not say.
    /// </summary>
    public static string? ReadBtfName(BpfFileDescriptor fd, BpfProgramInfo info)
    {
        ArgumentNullException.ThrowIfNull(fd);
        ArgumentNullException.ThrowIfNull(info);
        if (info.BtfId == 0) return null;
        try
        {
            var image = BpfProgramImage.Read(fd);
            if (image.Functions.Length == 0) return null;
            var btf = KernelBtfObjects.ReadById(info.BtfId);
            var typeId = image.Functions[0].TypeId;
            return btf.IsValidTypeId(typeId) && btf[typeId].Kind == Btf.BtfKind.Func ? btf[typeId].Name : null;
        }
        catch (Exception e) when (e is BpfSyscallException or BpfFormatException)
        {
            return null;
        }
    }

    /// <summary>Reads the info of the program behind <paramref name="fd"/>.</summary>
    public static unsafe BpfProgramInfo Read(BpfFileDescriptor fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        var info = default(ProgInfo);
        BpfSyscall.GetInfo(fd, ref info);
        var mapIds = new uint[info.NrMapIds];
        if (mapIds.Length > 0)
        {
            // Second call: only the map id array is requested.
            fixed (uint* ids = mapIds)
            {
                var again = default(ProgInfo);
                again.NrMapIds = (uint)mapIds.Length;
                again.MapIds = (ulong)ids;
                BpfSyscall.GetInfo(fd, ref again);
            }
        }
        var tag = new StringBuilder(16);
        for (var i = 0; i < 8; i++) tag.Append(info.Tag[i].ToString("x2", CultureInfo.InvariantCulture));
        var nameBytes = new ReadOnlySpan<byte>(info.Name, 16);
        var end = nameBytes.IndexOf((byte)0);
        var gpl = (info.GplCompatible & 1) != 0;
        return new BpfProgramInfo
        {
            Id = (int)info.Id,
            Type = (BpfProgramType)info.Type,
            Name = Encoding.UTF8.GetString(end < 0 ? nameBytes : nameBytes[..end]),
            Tag = tag.ToString(),
            GplCompatible = gpl,
            LoadTimeSinceBoot = info.LoadTime,
            Uid = info.CreatedByUid,
            XlatedSize = info.XlatedProgLen,
            JitedSize = info.JitedProgLen,
            MapIds = mapIds.Select(m => (int)m).ToArray(),
            BtfId = (int)info.BtfId,
            VerifiedInstructions = info.VerifiedInsns,
            RunTimeNanoseconds = info.RunTimeNs,
            RunCount = info.RunCnt,
            RecursionMisses = info.RecursionMisses,
            Memlock = FdInfo.ReadInteger(fd, "memlock"),
            Ifindex = (int)info.Ifindex,
            AttachBtfId = (int)info.AttachBtfId,
            AttachBtfObjectId = (int)info.AttachBtfObjId,
        };
    }
}
