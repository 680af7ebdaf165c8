using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;
using System.Text;

namespace BpfSharp.Btf;

/// <summary>
/// Parsed BTF: a zero-copy view over the raw bytes with an offset index over the type section.
/// Types are read on demand through <see cref="BtfType"/> views; names are decoded only when asked;
/// the name index is built once, on the first lookup by name.
/// </summary>
/// <remarks>
/// Type ids follow libbpf: 0 is void, the first type is 1, and split BTF (kernel modules) continues the
/// ids of its base (<see cref="StartId"/> = base <see cref="TypeCount"/>). Big-endian input is converted
/// once to little-endian at parse time; <see cref="IsBigEndian"/> remembers the original order.
/// An instance is immutable and safe to share between threads.
/// </remarks>
public sealed partial class BtfSpec
{
    /// <summary>Bound on modifier/typedef chains and size resolution (libbpf's <c>MAX_RESOLVE_DEPTH</c> is 32).</summary>
    public const int MaxResolveDepth = 32;

    /// <summary>Largest string offset libbpf accepts (<c>BTF_MAX_NAME_OFFSET</c>).</summary>
    public const uint MaxNameOffset = 0xffffff;

    // The whole blob (header + sections), little-endian: a managed array, or, when _bytes is null, memory that
    // stays mapped for the life of the process (the kernel's own BTF, see KernelBtfMapping).
    private readonly byte[]? _bytes;
    private readonly nint _native;
    private readonly int _dataLength;    // bytes readable from the origin (array length or mapping size)
    private readonly int _typeStart;     // absolute offset of the type section from the origin
    private readonly int _typeLength;
    private readonly int _stringStart;   // absolute offset of the string section in _bytes
    private readonly int _stringLength;
    private readonly int[] _offsets;     // per own type (id - StartId): offset within the type section
    private readonly int _count;         // own types; _offsets may be longer (sized before counting)
    private readonly BtfLayoutEntry[] _layout;
    private NameIndex? _nameIndex;
    private int _pointerSize;

    private BtfSpec(BtfData data, BtfHeader header, bool bigEndian, BtfSpec? baseSpec, string? source,
        int typeStart, int typeLength, int stringStart, int stringLength, int[] offsets, int count, BtfLayoutEntry[] layout)
    {
        _bytes = data.Array;
        _native = data.Native;
        _dataLength = data.Length;
        Header = header;
        IsBigEndian = bigEndian;
        Base = baseSpec;
        Source = source;
        _typeStart = typeStart;
        _typeLength = typeLength;
        _stringStart = stringStart;
        _stringLength = stringLength;
        _offsets = offsets;
        _count = count;
        _layout = layout;
        StartId = baseSpec?.TypeCount ?? 1;
        StartStringOffset = baseSpec is null ? 0 : baseSpec.StartStringOffset + (uint)baseSpec._stringLength;
    }

    /// <summary>The header as it was read.</summary>
    public BtfHeader Header { get; }

    /// <summary>True if the input was big-endian.</summary>
    public bool IsBigEndian { get; }

    /// <summary>The base BTF of split BTF (a kernel module's vmlinux), or null.</summary>
    public BtfSpec? Base { get; }

    /// <summary>Where this BTF came from (a path), used in messages; may be null.</summary>
    public string? Source { get; }

    /// <summary>The first type id defined by this BTF (1, or the base's <see cref="TypeCount"/> for split BTF).</summary>
    public int StartId { get; }

    /// <summary>The first string offset of this BTF's own string section (0, or the base's total string length).</summary>
    public uint StartStringOffset { get; }

    /// <summary>libbpf's <c>btf__type_cnt</c>: one past the last valid type id (includes void and the base's types).</summary>
    public int TypeCount => StartId + _count;

    /// <summary>Number of types this BTF itself defines (not counting void or the base).</summary>
    public int OwnTypeCount => _count;

    /// <summary>The layout section entries, indexed by kind (empty without a layout section).</summary>
    public ReadOnlySpan<BtfLayoutEntry> Layout => _layout;

    /// <summary>This BTF's own type section, little-endian.</summary>
    public ReadOnlySpan<byte> TypeSection => Slice(_typeStart, _typeLength);

    /// <summary>This BTF's own string section.</summary>
    public ReadOnlySpan<byte> StringSection => Slice(_stringStart, _stringLength);

    internal int TypeStart => _typeStart;

    /// <summary>The first byte of the blob; every absolute offset counts from here.</summary>
    internal ref byte Origin
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (_bytes is { } array) return ref MemoryMarshal.GetArrayDataReference(array);
            unsafe { return ref *(byte*)_native; }
        }
    }

    /// <summary>Bytes at absolute offsets (callers pass ranges inside the blob).</summary>
    internal ReadOnlySpan<byte> Slice(int absoluteOffset, int length)
    {
        if ((uint)absoluteOffset > (uint)_dataLength || (uint)length > (uint)(_dataLength - absoluteOffset))
            ThrowOutOfRecord(absoluteOffset);
        return MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref Origin, absoluteOffset), length);
    }

    /// <summary>Byte offset of an own type's record within <see cref="TypeSection"/>.</summary>
    public int GetTypeRecordOffset(int typeId)
    {
        if ((uint)(typeId - StartId) >= (uint)_count) ThrowBadId(typeId);
        return _offsets[typeId - StartId];
    }

    /// <summary>The type with the given id (0 is void). Ids of the base resolve in the base.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The id is not below <see cref="TypeCount"/>.</exception>
    public BtfType this[int typeId] => GetType(typeId);

    /// <summary>The type with the given id (0 is void). Ids of the base resolve in the base.</summary>
    public BtfType GetType(int typeId)
    {
        int local = typeId - StartId;
        if ((uint)local < (uint)_count) return new BtfType(this, typeId, _typeStart + _offsets[local]);
        if (typeId == 0) return new BtfType(this, 0, -1);
        if (Base is not null && (uint)typeId < (uint)StartId) return Base.GetType(typeId);
        ThrowBadId(typeId);
        return default;
    }

    /// <summary>True if <paramref name="typeId"/> is a valid id here (void included).</summary>
    public bool IsValidTypeId(int typeId) => (uint)typeId < (uint)TypeCount;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowBadId(int typeId) =>
        throw new ArgumentOutOfRangeException(nameof(typeId), typeId, $"type id {typeId} is not below the type count {TypeCount}");

    /// <summary>The NUL-terminated string at a string offset (resolving into the base for split BTF), without the NUL.</summary>
    public ReadOnlySpan<byte> GetStringUtf8(uint offset)
    {
        if (offset < StartStringOffset)
            return Base is not null ? Base.GetStringUtf8(offset) : default;
        uint local = offset - StartStringOffset;
        if (local >= (uint)_stringLength) return default;
        var s = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref Origin, _stringStart + (int)local), _stringLength - (int)local);
        int nul = s.IndexOf((byte)0);
        return nul < 0 ? s : s[..nul];
    }

    /// <summary>The string at a string offset, decoded as UTF-8 ("" for offset 0).</summary>
    public string GetString(uint offset)
    {
        var s = GetStringUtf8(offset);
        return s.IsEmpty ? string.Empty : Encoding.UTF8.GetString(s);
    }

    /// <summary>True if the offset points at a string of this BTF or its base.</summary>
    public bool IsValidStringOffset(uint offset)
    {
        if (offset < StartStringOffset) return Base?.IsValidStringOffset(offset) ?? false;
        return offset - StartStringOffset < (uint)_stringLength;
    }

    // Little-endian reads at absolute offsets from the origin. Offsets come from the validated index.
    // One unsigned compare keeps every read inside the array even through a view used with the wrong kind;
    // the index itself was validated at parse time. Hosts are little-endian (checked at parse).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal uint U32(int absoluteOffset)
    {
        if ((uint)absoluteOffset > (uint)(_dataLength - 4)) ThrowOutOfRecord(absoluteOffset);
        return Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref Origin, absoluteOffset));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowOutOfRecord(int absoluteOffset) =>
        throw new BpfFormatException(BpfFormatError.BtfTruncatedType, BpfFormat.Btf,
            $"read at 0x{absoluteOffset - _typeStart:x} is outside the data (a view used with the wrong kind?)", "types", absoluteOffset - _typeStart, Source);

    /// <inheritdoc />
    public override string ToString() =>
        $"BTF{(Source is null ? "" : " " + Source)}: {OwnTypeCount} types from id {StartId}, {_stringLength} bytes of strings";
}
