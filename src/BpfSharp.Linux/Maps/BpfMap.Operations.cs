using System.Text;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux;

// Operations beyond plain element access: opening existing maps, pinning, map-in-map, queue/stack and batches.
public sealed partial class BpfMap
{
    /// <summary>
    /// Wraps an fd of an existing map (from <c>BPF_OBJ_GET</c>, <c>BPF_MAP_GET_FD_BY_ID</c>, ...), reading its
    /// type, sizes, flags and name from the kernel. The map takes ownership of <paramref name="fd"/>.
    /// </summary>
    /// <exception cref="BpfSyscallException">The fd is not a map.</exception>
    public static unsafe BpfMap FromFileDescriptor(BpfFileDescriptor fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        var info = default(MapInfo);
        BpfSyscall.GetInfo(fd, ref info);
        var nameLength = new ReadOnlySpan<byte>(info.Name, 16).IndexOf((byte)0);
        var name = Encoding.UTF8.GetString(new ReadOnlySpan<byte>(info.Name, nameLength < 0 ? 16 : nameLength));
        return new BpfMap(fd, (BpfMapType)info.Type, (int)info.KeySize, (int)info.ValueSize, (int)info.MaxEntries,
            (BpfMapFlags)info.MapFlags, name.Length == 0 ? null : name, (int)info.Id);
    }

    /// <summary>Opens the map pinned at <paramref name="path"/> in bpffs.</summary>
    /// <exception cref="BpfSyscallException">Nothing is pinned there, or it is not a map.</exception>
    public static BpfMap OpenPinned(string path)
    {
        var fd = ObjectPins.Get(path);
        try
        {
            return FromFileDescriptor(fd);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>Opens the map with kernel id <paramref name="id"/> (<c>BPF_MAP_GET_FD_BY_ID</c>).</summary>
    /// <exception cref="BpfSyscallException">No such map (<c>ENOENT</c>).</exception>
    public static BpfMap OpenById(int id)
    {
        var attr = new GetIdAttr { StartId = (uint)id };
        var fd = BpfSyscall.BpfCreate(BpfCommand.MapGetFdById, ref attr);
        try
        {
            return FromFileDescriptor(fd);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Freezes the map (<c>BPF_MAP_FREEZE</c>): from now on user space cannot change it (programs still can, unless
    /// the map is read-only for them too).
    /// </summary>
    /// <exception cref="BpfSyscallException">The kernel refused (EBUSY when the map is mapped writable, ...).</exception>
    public void Freeze()
    {
        using var lease = FileDescriptor.Borrow();
        var attr = new MapElemAttr { MapFd = (uint)lease.Fd };
        BpfSyscall.Bpf(BpfCommand.MapFreeze, ref attr);
    }

    /// <summary>Pins the map at <paramref name="path"/> on a bpffs mount; remove the file to unpin.</summary>
    public void Pin(string path) => ObjectPins.Pin(FileDescriptor, path);

    /// <summary>
    /// Creates a map of maps (<see cref="BpfMapType.ArrayOfMaps"/> or <see cref="BpfMapType.HashOfMaps"/>) whose
    /// values are maps shaped like <paramref name="innerTemplate"/> (the kernel copies its type, sizes and flags).
    /// </summary>
    /// <exception cref="BpfSyscallException">The kernel refused the map.</exception>
    public static BpfMap CreateMapOfMaps(BpfMapType type, int keySize, int maxEntries, BpfMap innerTemplate, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(innerTemplate);
        if (type is not (BpfMapType.ArrayOfMaps or BpfMapType.HashOfMaps))
            throw new ArgumentException($"{type} is not a map-of-maps type.", nameof(type));
        using var inner = innerTemplate.FileDescriptor.Borrow();
        var attr = new MapCreateAttr
        {
            MapType = (uint)type,
            KeySize = (uint)keySize,
            ValueSize = sizeof(uint),
            MaxEntries = (uint)maxEntries,
            InnerMapFd = (uint)inner.Fd,
        };
        attr.MapName.Set(name, nameof(name));
        var fd = BpfSyscall.BpfCreate(BpfCommand.MapCreate, ref attr);
        try
        {
            return FromFileDescriptor(fd);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>Stores <paramref name="inner"/> under <paramref name="key"/> in a map of maps (the value written is its fd).</summary>
    public void SetInnerMap(ReadOnlySpan<byte> key, BpfMap inner, BpfMapUpdateFlags flags = BpfMapUpdateFlags.Any)
    {
        ArgumentNullException.ThrowIfNull(inner);
        using var lease = inner.FileDescriptor.Borrow();
        Span<byte> value = stackalloc byte[sizeof(uint)];
        BitConverter.TryWriteBytes(value, (uint)lease.Fd);
        Update(key, value, flags);
    }

    /// <summary>The id of the map stored under <paramref name="key"/> in a map of maps (lookups return ids), or null.</summary>
    public int? GetInnerMapId(ReadOnlySpan<byte> key)
    {
        Span<byte> value = stackalloc byte[sizeof(uint)];
        return TryLookup(key, value) ? (int)BitConverter.ToUInt32(value) : null;
    }

    /// <summary>Pushes <paramref name="value"/> onto a queue or stack map (<c>BPF_MAP_UPDATE_ELEM</c> without a key).</summary>
    /// <param name="value">The value (<see cref="ValueSize"/> bytes).</param>
    /// <param name="overwriteOldest">With <c>BPF_EXIST</c>, a full queue/stack drops its oldest element instead of failing with <c>E2BIG</c>.</param>
    public unsafe void Push(ReadOnlySpan<byte> value, bool overwriteOldest = false)
    {
        CheckQueue();
        CheckValue(value.Length);
        using var lease = FileDescriptor.Borrow();
        fixed (byte* v = value)
        {
            var attr = new MapElemAttr { MapFd = (uint)lease.Fd, ValueOrNextKey = (ulong)v, Flags = overwriteOldest ? (ulong)BpfMapUpdateFlags.Exist : 0 };
            BpfSyscall.Bpf(BpfCommand.MapUpdateElem, ref attr);
        }
    }

    /// <summary>Pops the next value from a queue (oldest) or stack (newest) map. Returns false when empty.</summary>
    public unsafe bool TryPop(Span<byte> value)
    {
        CheckQueue();
        CheckValue(value.Length);
        using var lease = FileDescriptor.Borrow();
        fixed (byte* v = value)
        {
            var attr = new MapElemAttr { MapFd = (uint)lease.Fd, ValueOrNextKey = (ulong)v };
            var result = BpfSyscall.TryBpf(BpfCommand.MapLookupAndDeleteElem, ref attr);
            if (result == -Errno.ENOENT) return false;
            if (result < 0) BpfSyscall.ThrowFailed(BpfCommand.MapLookupAndDeleteElem, -result);
            return true;
        }
    }

    /// <summary>Reads the value <see cref="TryPop"/> would return without removing it. Returns false when empty.</summary>
    public unsafe bool TryPeek(Span<byte> value)
    {
        CheckQueue();
        CheckValue(value.Length);
        using var lease = FileDescriptor.Borrow();
        fixed (byte* v = value)
        {
            var attr = new MapElemAttr { MapFd = (uint)lease.Fd, ValueOrNextKey = (ulong)v };
            var result = BpfSyscall.TryBpf(BpfCommand.MapLookupElem, ref attr);
            if (result == -Errno.ENOENT) return false;
            if (result < 0) BpfSyscall.ThrowFailed(BpfCommand.MapLookupElem, -result);
            return true;
        }
    }

    /// <summary>
    /// Reads up to <c>keys.Length / KeySize</c> entries in one call (<c>BPF_MAP_LOOKUP_BATCH</c>, 5.6+).
    /// <paramref name="cursor"/> starts as default and carries the position between calls; the return value is the
    /// number of entries read, and <paramref name="done"/> turns true at the end of the map.
    /// </summary>
    /// <param name="cursor">Opaque position; pass the same variable to every call of one iteration.</param>
    /// <param name="keys">Receives the keys (a multiple of <see cref="KeySize"/> bytes).</param>
    /// <param name="values">Receives the values (<see cref="ValueBufferSize"/> bytes per key).</param>
    /// <param name="done">Set when no entries remain after these.</param>
    /// <exception cref="BpfSyscallException">The kernel or map type has no batch support (<c>EINVAL</c>/<c>ENOTSUPP</c>).</exception>
    public unsafe int LookupBatch(ref BpfMapBatchCursor cursor, Span<byte> keys, Span<byte> values, out bool done)
    {
        var capacity = KeySize == 0 ? 0 : keys.Length / KeySize;
        if (capacity == 0) throw new ArgumentException("The key buffer holds no whole key.", nameof(keys));
        if (values.Length < capacity * ValueBufferSize) throw new ArgumentException($"The value buffer needs {capacity * ValueBufferSize} bytes for {capacity} keys.", nameof(values));
        // The batch token is as large as the key for hash maps and 4 bytes for arrays; 8 bytes cover all today.
        Span<byte> outBatch = stackalloc byte[Math.Max(8, KeySize)];
        using var lease = FileDescriptor.Borrow();
        fixed (byte* inPtr = cursor.Token)
        fixed (byte* outPtr = outBatch)
        fixed (byte* k = keys)
        fixed (byte* v = values)
        {
            var attr = new MapBatchAttr
            {
                InBatch = cursor.Started ? (ulong)inPtr : 0,
                OutBatch = (ulong)outPtr,
                Keys = (ulong)k,
                Values = (ulong)v,
                Count = (uint)capacity,
                MapFd = (uint)lease.Fd,
            };
            var result = BpfSyscall.TryBpf(BpfCommand.MapLookupBatch, ref attr);
            done = result == -Errno.ENOENT;
            if (result < 0 && !done) BpfSyscall.ThrowFailed(BpfCommand.MapLookupBatch, -result);
            cursor = new BpfMapBatchCursor(outBatch[..Math.Min(outBatch.Length, BpfMapBatchCursor.MaxToken)].ToArray());
            return (int)attr.Count;
        }
    }

    /// <summary>
    /// Stores many entries in one <c>BPF_MAP_UPDATE_BATCH</c> call: <paramref name="keys"/> holds whole keys back to
    /// back and <paramref name="values"/> the matching values. For maps of maps the kernel then waits for one RCU
    /// grace period in all, where one update per entry waits once per entry. Returns false, with nothing or only a
    /// prefix stored, when the kernel or map type has no batch update (<c>EINVAL</c>, <c>ENOTSUPP</c>,
    /// <c>EOPNOTSUPP</c>): update entry by entry then.
    /// </summary>
    /// <exception cref="BpfSyscallException">Any other failure.</exception>
    public unsafe bool TryUpdateBatch(ReadOnlySpan<byte> keys, ReadOnlySpan<byte> values, BpfMapUpdateFlags flags = BpfMapUpdateFlags.Any)
    {
        var count = KeySize == 0 ? 0 : keys.Length / KeySize;
        if (count == 0 || keys.Length != count * KeySize) throw new ArgumentException($"The keys are not whole {KeySize}-byte keys.", nameof(keys));
        if (values.Length != count * ValueBufferSize) throw new ArgumentException($"{count} keys need {count * ValueBufferSize} bytes of values.", nameof(values));
        using var lease = FileDescriptor.Borrow();
        fixed (byte* k = keys)
        fixed (byte* v = values)
        {
            var attr = new MapBatchAttr { Keys = (ulong)k, Values = (ulong)v, Count = (uint)count, MapFd = (uint)lease.Fd, ElemFlags = (ulong)flags };
            var result = BpfSyscall.TryBpf(BpfCommand.MapUpdateBatch, ref attr);
            if (result == -Errno.EINVAL || result == -Errno.ENOTSUPP || result == -Errno.EOPNOTSUPP) return false;
            if (result < 0) BpfSyscall.ThrowFailed(BpfCommand.MapUpdateBatch, -result);
            return true;
        }
    }

    private void CheckQueue()
    {
        if (Type is not (BpfMapType.Queue or BpfMapType.Stack or BpfMapType.BloomFilter))
            throw new InvalidOperationException($"{Type} maps have keys; push/pop/peek work on queue, stack (and peek on bloom filter) maps.");
    }
}

/// <summary>The position of a batch iteration over a map (<c>in_batch</c>/<c>out_batch</c>).</summary>
public readonly struct BpfMapBatchCursor
{
    internal const int MaxToken = 512;
    private readonly byte[]? _token;

    internal BpfMapBatchCursor(byte[] token) => _token = token;

    internal bool Started => _token is not null;

    internal byte[] Token => _token ?? [0];
}
