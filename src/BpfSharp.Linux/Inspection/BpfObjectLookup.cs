namespace BpfSharp.Linux.Inspection;

/// <summary>
/// Finds kernel BPF objects the ways bpftool lets a user name them: by id, by pinned path, and (programs and maps)
/// by name or (programs) by tag, where several objects may match. Every returned fd belongs to the caller.
/// </summary>
public static class BpfObjectLookup
{
    /// <summary>Ids of every object of <paramref name="kind"/>, in increasing order (<see cref="BpfObjectIds.All"/>).</summary>
    /// <exception cref="BpfSyscallException">The kernel refused (EPERM without CAP_SYS_ADMIN).</exception>
    public static List<int> Ids(BpfObjectKind kind) => BpfObjectIds.All(kind).Select(id => (int)id).ToList();

    /// <summary>Opens the object with <paramref name="id"/>, or null when it no longer exists.</summary>
    /// <exception cref="BpfSyscallException">The kernel refused for another reason than ENOENT.</exception>
    public static BpfFileDescriptor? TryOpenById(BpfObjectKind kind, int id) => BpfObjectIds.TryOpen(kind, (uint)id);

    /// <summary>Opens the object with <paramref name="id"/>.</summary>
    /// <exception cref="BpfSyscallException">No such object (ENOENT) or the kernel refused.</exception>
    public static BpfFileDescriptor OpenById(BpfObjectKind kind, int id) => BpfObjectIds.Open(kind, (uint)id);

    /// <summary>
    /// Opens the object pinned at <paramref name="path"/> and checks that it is a <paramref name="kind"/>, as bpftool's
    /// <c>open_obj_pinned_any</c> does.
    /// </summary>
    /// <exception cref="BpfSyscallException">Nothing is pinned there or the kernel refused.</exception>
    /// <exception cref="InvalidDataException">The pinned object is of another kind.</exception>
    public static BpfFileDescriptor OpenPinned(string path, BpfObjectKind kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fd = ObjectPins.Get(path);
        try
        {
            var actual = KindOf(fd);
            if (actual != kind)
                throw new InvalidDataException($"incorrect object type: {WordOf(actual)} (expected {WordOf(kind)}) at {path}");
            return fd;
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>The kind of object behind a BPF fd, from the anonymous inode's name (<c>/proc/self/fd/N</c>), or null.</summary>
    public static BpfObjectKind? KindOf(BpfFileDescriptor fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        using var lease = fd.Borrow();
        string? target;
        try
        {
            target = new FileInfo($"/proc/self/fd/{lease.Fd}").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
        // Matched by substring, as bpftool's get_fd_type does ("anon_inode:bpf-map", "anon_inode:bpf-link", ...).
        if (target is null) return null;
        if (target.Contains("bpf-map", StringComparison.Ordinal)) return BpfObjectKind.Map;
        if (target.Contains("bpf-prog", StringComparison.Ordinal)) return BpfObjectKind.Program;
        if (target.Contains("bpf-link", StringComparison.Ordinal) || target.Contains("bpf_link", StringComparison.Ordinal)) return BpfObjectKind.Link;
        if (target.Contains("btf", StringComparison.Ordinal)) return BpfObjectKind.Btf;
        return null;
    }

    /// <summary>bpftool's word for an object kind (<c>prog</c>, <c>map</c>, <c>link</c>, <c>btf</c>).</summary>
    public static string WordOf(BpfObjectKind? kind) => kind switch
    {
        BpfObjectKind.Program => "prog",
        BpfObjectKind.Map => "map",
        BpfObjectKind.Link => "link",
        BpfObjectKind.Btf => "btf",
        _ => "unknown",
    };

    /// <summary>
    /// Every program whose whole name (<see cref="BpfProgramInfo.ReadFullName"/>, not the kernel's 15-byte cut) is
    /// <paramref name="name"/>, in id order, as bpftool matches <c>name NAME</c>.
    /// </summary>
    public static List<BpfFileDescriptor> ProgramsNamed(string name) =>
        Matching(BpfObjectKind.Program, fd => string.Equals(BpfProgramInfo.ReadFullName(fd, BpfProgramInfo.Read(fd)), name, StringComparison.Ordinal));

    /// <summary>Every program whose tag (16 hex digits) is <paramref name="tag"/>, in id order.</summary>
    public static List<BpfFileDescriptor> ProgramsTagged(string tag) =>
        Matching(BpfObjectKind.Program, fd => string.Equals(BpfProgramInfo.Read(fd).Tag, tag, StringComparison.OrdinalIgnoreCase));

    /// <summary>Every map whose name is <paramref name="name"/> (first 15 bytes compared), in id order.</summary>
    public static List<BpfFileDescriptor> MapsNamed(string name) =>
        Matching(BpfObjectKind.Map, fd => NameMatches(BpfMapInfo.Read(fd).Name, name));

    // bpftool compares with strncmp(name, info.name, BPF_OBJ_NAME_LEN): a longer argument matches on its first 16 bytes.
    private static bool NameMatches(string objectName, string wanted) =>
        string.Equals(objectName, wanted.Length > 15 ? wanted[..15] : wanted, StringComparison.Ordinal);

    private static List<BpfFileDescriptor> Matching(BpfObjectKind kind, Func<BpfFileDescriptor, bool> predicate)
    {
        var result = new List<BpfFileDescriptor>();
        try
        {
            foreach (var id in Ids(kind))
            {
                var fd = TryOpenById(kind, id);
                if (fd is null) continue;
                if (predicate(fd)) result.Add(fd);
                else fd.Dispose();
            }
            return result;
        }
        catch
        {
            foreach (var fd in result) fd.Dispose();
            throw;
        }
    }
}
