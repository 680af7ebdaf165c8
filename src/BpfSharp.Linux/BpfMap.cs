using System.Runtime.InteropServices;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux;

/// <summary>
/// A BPF map held by this process (<c>BPF_MAP_CREATE</c>), with element access through spans. Dispose to close
/// the fd; the kernel frees the map once no program, pin or fd holds it.
/// </summary>
public sealed partial class BpfMap : IDisposable
{
    private BpfMap(BpfFileDescriptor fd, BpfMapType type, int keySize, int valueSize, int maxEntries, BpfMapFlags flags, string? name, int id)
    {
        FileDescriptor = fd;
        Type = type;
        KeySize = keySize;
        ValueSize = valueSize;
        MaxEntries = maxEntries;
        Flags = flags;
        Name = name;
        Id = id;
        ValueBufferSize = IsPerCpu(type) ? ((valueSize + 7) & ~7) * PossibleCpus.Count : valueSize;
    }

    /// <summary>Wraps an fd this process already owns (created or opened from a pin by the object loader).</summary>
    internal static BpfMap FromDescriptor(BpfFileDescriptor fd, BpfMapType type, int keySize, int valueSize, int maxEntries,
        BpfMapFlags flags, string? name, int id) => new(fd, type, keySize, valueSize, maxEntries, flags, name, id);

    /// <summary>The map's fd.</summary>
    public BpfFileDescriptor FileDescriptor { get; }

    /// <summary>Another handle on the same kernel map, with its own fd (dispose both).</summary>
    public BpfMap Duplicate()
    {
        using var lease = FileDescriptor.Borrow();
        var fd = Interop.LibC.Fcntl(lease.Fd, Interop.LibC.DuplicateCloseOnExec, 0);
        if (fd < 0) throw new IOException($"cannot duplicate the fd of {this}: {Interop.Errno.Name(System.Runtime.InteropServices.Marshal.GetLastPInvokeError())}");
        return new BpfMap(new BpfFileDescriptor(fd), Type, KeySize, ValueSize, MaxEntries, Flags, Name, Id);
    }
    /// <summary>The map type.</summary>
    public BpfMapType Type { get; }
    /// <summary>Key size in bytes.</summary>
    public int KeySize { get; }
    /// <summary>Value size in bytes (per CPU for per-CPU maps).</summary>
    public int ValueSize { get; }
    /// <summary>Maximum number of entries.</summary>
    public int MaxEntries { get; }
    /// <summary>The creation flags.</summary>
    public BpfMapFlags Flags { get; }
    /// <summary>The name given at creation (at most 15 bytes reach the kernel), or null.</summary>
    public string? Name { get; }
    /// <summary>The kernel's id for the map (as <c>bpftool map list</c> shows it).</summary>
    public int Id { get; }

    /// <summary>
    /// Bytes a value buffer must hold for <see cref="TryLookup(ReadOnlySpan{byte}, Span{byte})"/> and
    /// <see cref="Update(ReadOnlySpan{byte}, ReadOnlySpan{byte}, BpfMapUpdateFlags)"/>: <see cref="ValueSize"/>,
    /// or for per-CPU maps the value rounded up to 8 bytes times the number of possible CPUs.
    /// </summary>
    public int ValueBufferSize { get; }

    /// <summary>Creates a map.</summary>
    /// <param name="type">The map type (<c>BPF_MAP_TYPE_*</c>).</param>
    /// <param name="keySize">Key size in bytes (0 for queue, stack and bloom filter maps).</param>
    /// <param name="valueSize">Value size in bytes.</param>
    /// <param name="maxEntries">Maximum number of entries.</param>
    /// <param name="flags">Creation flags.</param>
    /// <param name="name">Optional name (letters, digits, '_' and '.'; truncated to 15 bytes).</param>
    /// <param name="btf">Optional BTF describing key and value; required when the value holds special fields such as spin locks.</param>
    /// <param name="btfKeyTypeId">The key's type id in <paramref name="btf"/> (0 for none).</param>
    /// <param name="btfValueTypeId">The value's type id in <paramref name="btf"/>.</param>
    /// <param name="token">A BPF token to pass (<c>map_token_fd</c> with <c>BPF_F_TOKEN_FD</c>), or null.</param>
    /// <exception cref="BpfSyscallException">The kernel refused the map.</exception>
    public static BpfMap Create(BpfMapType type, int keySize, int valueSize, int maxEntries, BpfMapFlags flags = BpfMapFlags.None,
        string? name = null, KernelBtf? btf = null, int btfKeyTypeId = 0, int btfValueTypeId = 0, BpfToken? token = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keySize);
        ArgumentOutOfRangeException.ThrowIfNegative(valueSize);
        ArgumentOutOfRangeException.ThrowIfNegative(maxEntries);
        if (btf is null && (btfKeyTypeId != 0 || btfValueTypeId != 0))
            throw new ArgumentException("BTF type ids need the BTF they refer to.", nameof(btf));

        var attr = new MapCreateAttr
        {
            MapType = (uint)type,
            KeySize = (uint)keySize,
            ValueSize = (uint)valueSize,
            MaxEntries = (uint)maxEntries,
            MapFlags = (uint)flags,
            BtfKeyTypeId = (uint)btfKeyTypeId,
            BtfValueTypeId = (uint)btfValueTypeId,
        };
        attr.MapName.Set(name, nameof(name));
        using var tokenLease = token is null ? default : token.FileDescriptor.Borrow();
        if (token is not null)
        {
            attr.MapFlags |= BpfToken.TokenFdFlag;
            attr.MapTokenFd = tokenLease.Fd;
        }

        int result;
        if (btf is null)
        {
            result = BpfSyscall.Bpf(BpfCommand.MapCreate, ref attr);
        }
        else
        {
            using var lease = btf.FileDescriptor.Borrow();
            attr.BtfFd = (uint)lease.Fd;
            result = BpfSyscall.Bpf(BpfCommand.MapCreate, ref attr);
        }

        var fd = new BpfFileDescriptor(result);
        try
        {
            var info = default(MapInfoPrefix);
            BpfSyscall.GetInfo(fd, ref info);
            return new BpfMap(fd, type, keySize, valueSize, maxEntries, flags, name, (int)info.Id);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the value stored under <paramref name="key"/> into <paramref name="value"/> (at least
    /// <see cref="ValueBufferSize"/> bytes). Returns false if the key is absent (<c>ENOENT</c>).
    /// </summary>
    /// <exception cref="BpfSyscallException">Any other failure.</exception>
    public unsafe bool TryLookup(ReadOnlySpan<byte> key, Span<byte> value)
    {
        CheckKey(key);
        CheckValue(value.Length);
        using var lease = FileDescriptor.Borrow();
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            var attr = new MapElemAttr { MapFd = (uint)lease.Fd, Key = (ulong)k, ValueOrNextKey = (ulong)v };
            var result = BpfSyscall.TryBpf(BpfCommand.MapLookupElem, ref attr);
            if (result == -Errno.ENOENT) return false;
            if (result < 0) BpfSyscall.ThrowFailed(BpfCommand.MapLookupElem, -result);
            return true;
        }
    }

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>.</summary>
    /// <exception cref="BpfSyscallException">The kernel refused (e.g. <c>E2BIG</c> when full, <c>EEXIST</c> with <see cref="BpfMapUpdateFlags.NoExist"/>).</exception>
    public unsafe void Update(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, BpfMapUpdateFlags flags = BpfMapUpdateFlags.Any)
    {
        CheckKey(key);
        CheckValue(value.Length);
        using var lease = FileDescriptor.Borrow();
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            var attr = new MapElemAttr { MapFd = (uint)lease.Fd, Key = (ulong)k, ValueOrNextKey = (ulong)v, Flags = (ulong)flags };
            BpfSyscall.Bpf(BpfCommand.MapUpdateElem, ref attr);
        }
    }

    /// <summary>Removes <paramref name="key"/>. Returns false if it was absent (<c>ENOENT</c>).</summary>
    /// <exception cref="BpfSyscallException">Any other failure (array maps refuse deletion with <c>EINVAL</c>).</exception>
    public unsafe bool Delete(ReadOnlySpan<byte> key)
    {
        CheckKey(key);
        using var lease = FileDescriptor.Borrow();
        fixed (byte* k = key)
        {
            var attr = new MapElemAttr { MapFd = (uint)lease.Fd, Key = (ulong)k };
            var result = BpfSyscall.TryBpf(BpfCommand.MapDeleteElem, ref attr);
            if (result == -Errno.ENOENT) return false;
            if (result < 0) BpfSyscall.ThrowFailed(BpfCommand.MapDeleteElem, -result);
            return true;
        }
    }

    /// <summary>
    /// Writes the key following <paramref name="key"/> into <paramref name="nextKey"/>; an empty
    /// <paramref name="key"/> asks for the first key. Returns false at the end of the map.
    /// </summary>
    public unsafe bool TryGetNextKey(ReadOnlySpan<byte> key, Span<byte> nextKey)
    {
        if (!key.IsEmpty) CheckKey(key);
        if (nextKey.Length < KeySize) throw new ArgumentException($"Key buffer holds {nextKey.Length} bytes, the map's keys have {KeySize}.", nameof(nextKey));
        using var lease = FileDescriptor.Borrow();
        fixed (byte* k = key)
        fixed (byte* n = nextKey)
        {
            var attr = new MapElemAttr { MapFd = (uint)lease.Fd, Key = key.IsEmpty ? 0 : (ulong)k, ValueOrNextKey = (ulong)n };
            var result = BpfSyscall.TryBpf(BpfCommand.MapGetNextKey, ref attr);
            if (result == -Errno.ENOENT) return false;
            if (result < 0) BpfSyscall.ThrowFailed(BpfCommand.MapGetNextKey, -result);
            return true;
        }
    }

    /// <summary>Typed <see cref="TryLookup(ReadOnlySpan{byte}, Span{byte})"/> for maps whose key and value are plain structs.</summary>
    public bool TryLookup<TKey, TValue>(in TKey key, out TValue value) where TKey : unmanaged where TValue : unmanaged
    {
        value = default;
        return TryLookup(MemoryMarshal.AsBytes(new ReadOnlySpan<TKey>(in key)), MemoryMarshal.AsBytes(new Span<TValue>(ref value)));
    }

    /// <summary>Typed <see cref="Update(ReadOnlySpan{byte}, ReadOnlySpan{byte}, BpfMapUpdateFlags)"/> for plain structs.</summary>
    public void Update<TKey, TValue>(in TKey key, in TValue value, BpfMapUpdateFlags flags = BpfMapUpdateFlags.Any)
        where TKey : unmanaged where TValue : unmanaged =>
        Update(MemoryMarshal.AsBytes(new ReadOnlySpan<TKey>(in key)), MemoryMarshal.AsBytes(new ReadOnlySpan<TValue>(in value)), flags);

    /// <summary>Closes the fd.</summary>
    public void Dispose() => FileDescriptor.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"map {Id} {Type} '{Name}' key {KeySize} value {ValueSize} max {MaxEntries}";

    private void CheckKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
            throw new ArgumentException($"Key has {key.Length} bytes, the map's keys have {KeySize}.", nameof(key));
    }

    private void CheckValue(int length)
    {
        if (length < ValueBufferSize)
            throw new ArgumentException($"Value buffer holds {length} bytes, the map needs {ValueBufferSize}.", "value");
    }

    private static bool IsPerCpu(BpfMapType type) =>
        type is BpfMapType.PerCpuHash or BpfMapType.PerCpuArray or BpfMapType.LruPerCpuHash or BpfMapType.PerCpuCgroupStorage;

    /// <summary>The leading fields of <c>struct bpf_map_info</c>.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    private struct MapInfoPrefix
    {
        [FieldOffset(0)] public uint Type;
        [FieldOffset(4)] public uint Id;
    }
}
