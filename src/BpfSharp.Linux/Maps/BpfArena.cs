using System.Runtime.InteropServices;
using BpfSharp.Linux.Interop;
using BpfSharp.Objects;

namespace BpfSharp.Linux.Maps;

/// <summary>
/// An arena map (<c>BPF_MAP_TYPE_ARENA</c>) mapped into this process: memory shared with BPF programs, page by page,
/// at the same addresses the programs' arena pointers hold (a pointer a program stores in the arena can be followed
/// here as it is). The object loader maps the object's arena before it loads the programs (the kernel needs the
/// arena's user address to resolve <c>__arena</c> globals) and copies the initial <c>.addr_space.1</c> bytes in.
/// Reading or writing a page no one has allocated yet allocates a zero page, unless the map has
/// <see cref="BpfMapFlags.SegvOnFault"/> (then the process gets SIGSEGV: touch only pages a program allocated).
/// </summary>
public sealed unsafe class BpfArena : IDisposable
{
    // MAP_FIXED_NOREPLACE instead of libbpf's MAP_FIXED: the arena's address must not replace memory the runtime uses.
    private const int ProtRead = 1, ProtWrite = 2, MapShared = 1, MapFixedNoReplace = 0x100000;

    private void* _address;

    private BpfArena(BpfMap map, void* address, ulong length, ArenaDataSpec? globals, long globalsOffset)
    {
        Map = map;
        _address = address;
        Length = length;
        Globals = globals;
        GlobalsOffset = globalsOffset;
    }

    /// <summary>
    /// Maps <paramref name="map"/> (an arena) into this process: all of its <see cref="BpfMap.MaxEntries"/> pages at
    /// <paramref name="address"/> (the map's <c>map_extra</c>, its fixed user address), or where the kernel chooses
    /// when 0 (the first mapping of an arena fixes its address). The arena does not own <paramref name="map"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The map is not an arena.</exception>
    /// <exception cref="IOException">mmap failed (EEXIST: something is already mapped at <paramref name="address"/>).</exception>
    public static BpfArena Open(BpfMap map, ulong address = 0)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.Type != BpfMapType.Arena) throw new ArgumentException($"{map} is not an arena map", nameof(map));
        return Open(map, address, null, -1);
    }

    internal static BpfArena Open(BpfMap map, ulong address, ArenaDataSpec? globals, long globalsOffset)
    {
        ulong length = (ulong)(uint)map.MaxEntries * (ulong)Environment.SystemPageSize;
        using var lease = map.FileDescriptor.Borrow();
        var mapped = LibC.Mmap((void*)address, (nuint)length, ProtRead | ProtWrite, MapShared | (address != 0 ? MapFixedNoReplace : 0), lease.Fd, 0);
        if (mapped == LibC.MapFailed)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"mmap of arena map '{map.Name}' ({length} bytes{(address != 0 ? $" at 0x{address:x}" : "")}) failed: {Errno.Name(errno)}"
                + (errno == Errno.EEXIST ? " (that address range is already in use in this process; choose another map_extra)" : ""));
        }
        if (address != 0 && (ulong)mapped != address)
        {
            // Kernels before MAP_FIXED_NOREPLACE (4.17) take it as a hint; an arena only works at its own address.
            LibC.Munmap(mapped, (nuint)length);
            throw new IOException($"mmap of arena map '{map.Name}' at 0x{address:x} landed at 0x{(ulong)mapped:x}");
        }
        return new BpfArena(map, mapped, length, globals, globalsOffset);
    }

    /// <summary>The arena map.</summary>
    public BpfMap Map { get; }
    /// <summary>The arena's user-space start address (the kernel's <c>user_vm_start</c>).</summary>
    public ulong Address
    {
        get
        {
            ObjectDisposedException.ThrowIf(_address is null, this);
            return (ulong)_address;
        }
    }
    /// <summary>The arena's size in bytes (pages times the page size).</summary>
    public ulong Length { get; }
    /// <summary>The object's <c>__arena</c> globals, or null.</summary>
    public ArenaDataSpec? Globals { get; }
    /// <summary>Where the <c>__arena</c> globals start in the arena (end of the arena, page-aligned), or -1 without globals.</summary>
    public long GlobalsOffset { get; }

    /// <summary>True if <paramref name="pointer"/> (e.g. an arena pointer a program stored) points into the arena.</summary>
    public bool Contains(ulong pointer) => _address is not null && pointer - (ulong)_address < Length;

    /// <summary>The live bytes at <paramref name="offset"/> from the arena's start.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the arena.</exception>
    public Span<byte> GetSpan(ulong offset, int length)
    {
        ObjectDisposedException.ThrowIf(_address is null, this);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (offset > Length || (ulong)length > Length - offset)
            throw new ArgumentOutOfRangeException(nameof(offset), $"{offset}+{length} is outside the arena ({Length} bytes)");
        return new Span<byte>((byte*)_address + offset, length);
    }

    /// <summary>The whole arena (at most 2 GiB: larger arenas through <see cref="GetSpan"/>).</summary>
    public Span<byte> Span => GetSpan(0, Length <= int.MaxValue ? (int)Length
        : throw new InvalidOperationException($"the arena is {Length} bytes; a span holds at most {int.MaxValue}: use GetSpan(offset, length)"));

    /// <summary>Reads a <typeparamref name="T"/> at arena pointer <paramref name="pointer"/> (an address inside the arena).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The pointer is not inside the arena.</exception>
    public T ReadAt<T>(ulong pointer) where T : unmanaged
    {
        if (!Contains(pointer)) throw new ArgumentOutOfRangeException(nameof(pointer), $"0x{pointer:x} is not inside the arena at 0x{(ulong)_address:x} ({Length} bytes)");
        return MemoryMarshal.Read<T>(GetSpan(pointer - (ulong)_address, sizeof(T)));
    }

    /// <summary>The bytes of an <c>__arena</c> global.</summary>
    /// <exception cref="KeyNotFoundException">No arena global of that name.</exception>
    public Span<byte> GetVariableBytes(string name)
    {
        if (Globals is not null)
            foreach (var v in Globals.Variables)
                if (v.Name == name) return GetSpan((ulong)GlobalsOffset + v.Offset, (int)v.Size);
        throw new KeyNotFoundException($"the arena has no global '{name}'");
    }

    /// <summary>The arena address of an <c>__arena</c> global (what <c>&amp;name</c> is in the program).</summary>
    public ulong GetVariableAddress(string name)
    {
        if (Globals is not null)
            foreach (var v in Globals.Variables)
                if (v.Name == name) return Address + (ulong)GlobalsOffset + v.Offset;
        throw new KeyNotFoundException($"the arena has no global '{name}'");
    }

    /// <summary>Reads an <c>__arena</c> global as <typeparamref name="T"/> (its size must not exceed the variable's).</summary>
    public T Read<T>(string name) where T : unmanaged
    {
        var bytes = GetVariableBytes(name);
        if (sizeof(T) > bytes.Length) throw new ArgumentException($"'{name}' is {bytes.Length} bytes, {typeof(T).Name} is {sizeof(T)}");
        return MemoryMarshal.Read<T>(bytes);
    }

    /// <summary>Writes an <c>__arena</c> global.</summary>
    public void Write<T>(string name, T value) where T : unmanaged
    {
        var bytes = GetVariableBytes(name);
        if (sizeof(T) > bytes.Length) throw new ArgumentException($"'{name}' is {bytes.Length} bytes, {typeof(T).Name} is {sizeof(T)}");
        MemoryMarshal.Write(bytes, in value);
    }

    /// <summary>Unmaps the arena (the map, and the pages programs allocated, live on while the map does).</summary>
    public void Dispose()
    {
        if (_address is null) return;
        LibC.Munmap(_address, (nuint)Length);
        _address = null;
    }

    /// <inheritdoc />
    public override string ToString() => $"arena '{Map.Name}' at 0x{(ulong)_address:x} ({Length} bytes)";
}
