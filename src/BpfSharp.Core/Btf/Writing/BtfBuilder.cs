using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace BpfSharp.Btf.Writing;

/// <summary>
/// Builds BTF (types and strings) and serialises it as a <c>.BTF</c> blob that <see cref="BtfSpec.Parse"/>,
/// libbpf and the kernel's <c>BPF_BTF_LOAD</c> accept.
/// </summary>
/// <remarks>
/// <para>Every <c>Add*</c> method returns the new type's id. Ids are assigned in order, starting at 1
/// (or after the base's types for split BTF). A type may refer to ids that are added later (forward
/// references); they are checked when the BTF is written.</para>
/// <para>Composite records grow after creation: <see cref="AddMember"/>, <see cref="AddEnumValue(int, string, long)"/>,
/// <see cref="AddParam"/> and <see cref="AddDataSecVar"/> append to a type created earlier, so a struct can be
/// created first (to be pointed to) and filled later.</para>
/// <para>Strings are deduplicated: the same string always gets the same offset (for split BTF, a string the
/// base already has gets the base's offset, as libbpf does). <see cref="From(BtfSpec)"/> adopts an existing
/// BTF's string table and type records verbatim, so reading and writing any BTF gives identical bytes.</para>
/// </remarks>
public sealed class BtfBuilder
{
    private struct TypeEntry
    {
        public uint NameOffset;
        public uint Info;
        public uint SizeOrType;
        public int TrailerStart;    // index into _pool
        public int TrailerWords;
        public int TrailerCapacity;
    }

    private const int MaxVlen = 0xffffff;

    private TypeEntry[] _types = new TypeEntry[64];
    private int _count;
    private uint[] _pool = new uint[256];
    private int _poolUsed;
    private readonly BtfStringTable _strings;
    private BtfStringTable[]? _baseStrings;
    private BtfLayoutEntry[] _sourceLayout = [];

    /// <summary>Creates an empty builder; with <paramref name="baseSpec"/>, builds split BTF over that base.</summary>
    public BtfBuilder(BtfSpec? baseSpec = null)
        : this(baseSpec, baseSpec?.TypeCount ?? 1, new BtfStringTable(
            baseSpec is null ? 0 : baseSpec.StartStringOffset + (uint)baseSpec.StringSection.Length,
            startsWithEmptyString: baseSpec is null))
    {
    }

    private BtfBuilder(BtfSpec? baseSpec, int startId, BtfStringTable strings)
    {
        Base = baseSpec;
        StartId = startId;
        _strings = strings;
    }

    /// <summary>
    /// A builder holding <paramref name="spec"/>'s own types and strings exactly as they are (same ids, same string
    /// offsets, same header length and layout section), to which more types can be added.
    /// For split BTF the builder's <see cref="Base"/> is the spec's base.
    /// </summary>
    /// <exception cref="BpfFormatException">A record of an unknown kind is not a whole number of 4-byte words.</exception>
    public static BtfBuilder From(BtfSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var b = new BtfBuilder(spec.Base, spec.StartId, new BtfStringTable(spec.StartStringOffset, spec.StringSection))
        {
            HeaderLength = spec.Header.HeaderLength == BtfHeader.LayoutSize ? BtfHeader.LayoutSize : BtfHeader.ClassicSize,
            WritesLayoutSection = spec.Header.LayoutLength != 0,
        };
        b._sourceLayout = spec.Layout.ToArray();
        b.Adopt(spec);
        return b;
    }

    // Copies the type records word for word (the spec holds them little-endian).
    private void Adopt(BtfSpec spec)
    {
        int n = spec.OwnTypeCount;
        _types = new TypeEntry[Math.Max(64, n + n / 8)];
        var words = MemoryMarshal.Cast<byte, uint>(spec.TypeSection);
        _pool = new uint[Math.Max(256, words.Length + words.Length / 8)];
        for (int i = 0; i < n; i++)
        {
            int id = spec.StartId + i;
            int rel = spec.GetTypeRecordOffset(id);
            var t = spec[id];
            int size = t.RecordSize;
            if ((size & 3) != 0 || (rel & 3) != 0)
                throw new BpfFormatException(BpfFormatError.BtfInvalidType, BpfFormat.Btf,
                    $"[{id}] record of {size} bytes at {rel} is not made of 4-byte words", "types", rel, spec.Source);
            ref var e = ref _types[i];
            e.NameOffset = t.NameOffset;
            e.Info = t.Info;
            e.SizeOrType = t.SizeOrType;
            int trailer = (size - 12) / 4;
            e.TrailerStart = _poolUsed;
            e.TrailerWords = trailer;
            e.TrailerCapacity = trailer;
            words.Slice(rel / 4 + 3, trailer).CopyTo(_pool.AsSpan(_poolUsed));
            _poolUsed += trailer;
        }
        _count = n;
    }

    /// <summary>The base BTF of split BTF, or null.</summary>
    public BtfSpec? Base { get; }

    /// <summary>The id of the first type this builder defines (1, or the base's type count).</summary>
    public int StartId { get; }

    /// <summary>One past the last type id (libbpf's <c>btf__type_cnt</c>): the id the next added type gets.</summary>
    public int TypeCount => StartId + _count;

    /// <summary>Number of types this builder defines.</summary>
    public int OwnTypeCount => _count;

    /// <summary>Header length written when no layout section is written: 24 (default) or 32 (fields zeroed).</summary>
    public int HeaderLength
    {
        get;
        set => field = value is BtfHeader.ClassicSize or BtfHeader.LayoutSize ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "the BTF header is 24 or 32 bytes");
    } = BtfHeader.ClassicSize;

    /// <summary>Whether <see cref="ToArray"/> writes a layout section when not told (true when adopted from BTF that had one).</summary>
    public bool WritesLayoutSection { get; set; }

    // ------------------------------------------------------------------ strings

    /// <summary>Adds a string (UTF-8, no NUL) and returns its offset; an existing equal string's offset is reused. "" is 0.</summary>
    public uint AddString(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty) return 0;
        if (Base is not null)
        {
            long inBase = FindInBase(utf8);
            if (inBase >= 0) return (uint)inBase;
        }
        return _strings.Add(utf8);
    }

    /// <summary>Adds a string and returns its offset; null and "" are 0.</summary>
    public uint AddString(string? value)
    {
        if (string.IsNullOrEmpty(value)) return 0;
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        Span<byte> buf = max <= 512 ? stackalloc byte[max] : new byte[max];
        int len = Encoding.UTF8.GetBytes(value, buf);
        return AddString(buf[..len]);
    }

    /// <summary>The string at an offset of this builder or its base ("" when there is none).</summary>
    public string GetString(uint offset)
    {
        var s = GetStringUtf8(offset);
        return s.IsEmpty ? string.Empty : Encoding.UTF8.GetString(s);
    }

    /// <summary>The UTF-8 string at an offset of this builder or its base.</summary>
    public ReadOnlySpan<byte> GetStringUtf8(uint offset) =>
        offset >= _strings.StartOffset ? _strings.Get(offset) : Base is null ? default : Base.GetStringUtf8(offset);

    private long FindInBase(ReadOnlySpan<byte> s)
    {
        if (_baseStrings is null)
        {
            var list = new List<BtfStringTable>();
            for (var b = Base; b is not null; b = b.Base)
                list.Add(new BtfStringTable(b.StartStringOffset, b.StringSection));
            list.Reverse(); // lowest offsets first, as libbpf searches the innermost base first
            _baseStrings = [.. list];
        }
        foreach (var table in _baseStrings)
        {
            long at = table.Find(s);
            if (at >= 0) return at;
        }
        return -1;
    }

    // ------------------------------------------------------------------ types

    /// <summary>Adds an INT (<c>BTF_KIND_INT</c>).</summary>
    /// <param name="name">The C name (e.g. <c>unsigned int</c>).</param>
    /// <param name="size">Size in bytes: 1, 2, 4, 8 or 16.</param>
    /// <param name="encoding">Signed, char or bool.</param>
    /// <param name="bits">Number of bits; 0 means <c>size * 8</c>.</param>
    /// <param name="bitOffset">Bit offset (always 0 in modern BTF).</param>
    public int AddInt(string name, uint size, BtfIntEncoding encoding = BtfIntEncoding.None, int bits = 0, int bitOffset = 0)
    {
        if (size is not (1 or 2 or 4 or 8 or 16)) throw new ArgumentOutOfRangeException(nameof(size), size, "INT size is 1, 2, 4, 8 or 16");
        if (bits == 0) bits = (int)size * 8;
        if (bits < 0 || bits > 128 || bitOffset < 0 || bitOffset > 255 || bits + bitOffset > size * 8)
            throw new ArgumentOutOfRangeException(nameof(bits), bits, $"INT bits {bits} at offset {bitOffset} do not fit {size} bytes");
        uint data = ((uint)encoding & 0x0f) << 24 | (uint)bitOffset << 16 | (uint)bits;
        return Add(BtfKind.Int, AddString(name), 0, false, size, [data]);
    }

    /// <summary>Adds a PTR to <paramref name="targetId"/> (0: <c>void *</c>).</summary>
    public int AddPointer(int targetId) => Add(BtfKind.Pointer, 0, 0, false, CheckId(targetId), default);

    /// <summary>Adds an ARRAY of <paramref name="length"/> elements of <paramref name="elementTypeId"/>, indexed by an INT type.</summary>
    public int AddArray(int elementTypeId, int indexTypeId, uint length) =>
        Add(BtfKind.Array, 0, 0, false, 0, [CheckId(elementTypeId), CheckId(indexTypeId), length]);

    /// <summary>Adds a STRUCT with no members yet (add them with <see cref="AddMember"/>); null name for anonymous.</summary>
    public int AddStruct(string? name, uint size) => Add(BtfKind.Struct, AddString(name), 0, false, size, default);

    /// <summary>Adds a UNION with no members yet (add them with <see cref="AddMember"/>); null name for anonymous.</summary>
    public int AddUnion(string? name, uint size) => Add(BtfKind.Union, AddString(name), 0, false, size, default);

    /// <summary>
    /// Appends a member to a STRUCT or UNION created earlier. A bitfield (<paramref name="bitfieldSize"/> &gt; 0) sets the
    /// type's kind flag, after which every member's offset word is <c>bitfield_size &lt;&lt; 24 | bit_offset</c>
    /// (members added before are re-encoded; their bit offsets must then be below 2^24).
    /// </summary>
    public void AddMember(int compositeId, string? name, int typeId, uint bitOffset, uint bitfieldSize = 0)
    {
        ref var e = ref Entry(compositeId);
        var kind = KindOf(e);
        if (!kind.IsComposite()) throw new ArgumentException($"[{compositeId}] is a {kind.ToBpftoolName()}, not a STRUCT or UNION", nameof(compositeId));
        if (bitfieldSize > 255) throw new ArgumentOutOfRangeException(nameof(bitfieldSize), bitfieldSize, "a bitfield has at most 255 bits");
        bool kflag = (e.Info & 0x80000000u) != 0;
        if (bitfieldSize != 0 && !kflag)
        {
            for (int i = 0; i < VlenOf(e); i++)
                if (_pool[e.TrailerStart + i * 3 + 2] > 0xffffff)
                    throw new InvalidOperationException($"[{compositeId}] member {i} has bit offset over 2^24: cannot switch to bitfield encoding");
            e.Info |= 0x80000000u;
            kflag = true;
        }
        uint raw;
        if (kflag)
        {
            if (bitOffset > 0xffffff) throw new ArgumentOutOfRangeException(nameof(bitOffset), bitOffset, "with bitfield encoding a bit offset is below 2^24");
            raw = bitfieldSize << 24 | bitOffset;
        }
        else raw = bitOffset;
        Append(compositeId, ref e, [AddString(name), CheckId(typeId), raw]);
    }

    /// <summary>Sets the kind flag of a STRUCT or UNION (bitfield offset encoding) explicitly, as clang does for any struct with a bitfield.</summary>
    public void SetBitfieldEncoding(int compositeId)
    {
        ref var e = ref Entry(compositeId);
        if (!KindOf(e).IsComposite()) throw new ArgumentException($"[{compositeId}] is not a STRUCT or UNION", nameof(compositeId));
        if ((e.Info & 0x80000000u) != 0) return;
        for (int i = 0; i < VlenOf(e); i++)
            if (_pool[e.TrailerStart + i * 3 + 2] > 0xffffff)
                throw new InvalidOperationException($"[{compositeId}] member {i} has bit offset over 2^24");
        e.Info |= 0x80000000u;
    }

    /// <summary>Adds an ENUM (32-bit values) with no values yet; <paramref name="signed"/> sets the kind flag.</summary>
    /// <param name="name">Null for anonymous.</param>
    /// <param name="size">1, 2, 4 or 8 bytes.</param>
    /// <param name="signed">Values are signed (kind flag).</param>
    public int AddEnum(string? name, uint size = 4, bool signed = false)
    {
        if (size is not (1 or 2 or 4 or 8)) throw new ArgumentOutOfRangeException(nameof(size), size, "ENUM size is 1, 2, 4 or 8");
        return Add(BtfKind.Enum, AddString(name), 0, signed, size, default);
    }

    /// <summary>Adds an ENUM64 with no values yet; <paramref name="signed"/> sets the kind flag.</summary>
    public int AddEnum64(string? name, uint size = 8, bool signed = false)
    {
        if (size is not (1 or 2 or 4 or 8)) throw new ArgumentOutOfRangeException(nameof(size), size, "ENUM64 size is 1, 2, 4 or 8");
        return Add(BtfKind.Enum64, AddString(name), 0, signed, size, default);
    }

    /// <summary>
    /// Appends an enumerator to an ENUM or ENUM64. For ENUM the value must fit 32 bits (signed or unsigned);
    /// for ENUM64 its 64 bits are stored.
    /// </summary>
    public void AddEnumValue(int enumId, string name, long value)
    {
        ref var e = ref Entry(enumId);
        var kind = KindOf(e);
        uint nameOff = AddString(name);
        if (kind == BtfKind.Enum)
        {
            if (value < int.MinValue || value > uint.MaxValue)
                throw new ArgumentOutOfRangeException(nameof(value), value, "an ENUM value has 32 bits; use ENUM64");
            Append(enumId, ref e, [nameOff, (uint)value]);
        }
        else if (kind == BtfKind.Enum64)
            Append(enumId, ref e, [nameOff, (uint)value, (uint)((ulong)value >> 32)]);
        else throw new ArgumentException($"[{enumId}] is a {kind.ToBpftoolName()}, not an ENUM or ENUM64", nameof(enumId));
    }

    /// <summary>Appends an unsigned 64-bit enumerator to an ENUM64 (or an ENUM when it fits 32 bits).</summary>
    public void AddEnumValue(int enumId, string name, ulong value)
    {
        if (KindOf(Entry(enumId)) == BtfKind.Enum && value > uint.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(value), value, "an ENUM value has 32 bits; use ENUM64");
        AddEnumValue(enumId, name, unchecked((long)value));
    }

    /// <summary>Adds a FWD declaration of a struct (or union).</summary>
    public int AddForward(string name, bool isUnion = false) => Add(BtfKind.Forward, AddString(name), 0, isUnion, 0, default);

    /// <summary>Adds a TYPEDEF.</summary>
    public int AddTypedef(string name, int typeId) => Add(BtfKind.Typedef, AddString(name), 0, false, CheckId(typeId), default);

    /// <summary>Adds a VOLATILE modifier.</summary>
    public int AddVolatile(int typeId) => Add(BtfKind.Volatile, 0, 0, false, CheckId(typeId), default);

    /// <summary>Adds a CONST modifier.</summary>
    public int AddConst(int typeId) => Add(BtfKind.Const, 0, 0, false, CheckId(typeId), default);

    /// <summary>Adds a RESTRICT modifier.</summary>
    public int AddRestrict(int typeId) => Add(BtfKind.Restrict, 0, 0, false, CheckId(typeId), default);

    /// <summary>Adds a TYPE_TAG (<c>btf_type_tag("value")</c>); <paramref name="attribute"/> sets the kind flag (attribute tag).</summary>
    public int AddTypeTag(string value, int typeId, bool attribute = false) =>
        Add(BtfKind.TypeTag, AddString(value), 0, attribute, CheckId(typeId), default);

    /// <summary>Adds a FUNC named <paramref name="name"/> of prototype <paramref name="protoId"/>; the linkage is stored in vlen.</summary>
    public int AddFunc(string name, int protoId, BtfLinkage linkage = BtfLinkage.Static) =>
        Add(BtfKind.Func, AddString(name), (int)linkage, false, CheckId(protoId), default);

    /// <summary>Adds a FUNC_PROTO returning <paramref name="returnTypeId"/> (0: void), with no parameters yet.</summary>
    public int AddFuncProto(int returnTypeId) => Add(BtfKind.FuncProto, 0, 0, false, CheckId(returnTypeId), default);

    /// <summary>Appends a parameter to a FUNC_PROTO (name may be null).</summary>
    public void AddParam(int protoId, string? name, int typeId)
    {
        ref var e = ref Entry(protoId);
        if (KindOf(e) != BtfKind.FuncProto) throw new ArgumentException($"[{protoId}] is not a FUNC_PROTO", nameof(protoId));
        Append(protoId, ref e, [AddString(name), CheckId(typeId)]);
    }

    /// <summary>Marks a FUNC_PROTO variadic (a last parameter with no name and type 0).</summary>
    public void AddVarArgs(int protoId) => AddParam(protoId, null, 0);

    /// <summary>Adds a VAR (linkage: static, global allocated, or extern).</summary>
    public int AddVar(string name, int typeId, BtfLinkage linkage = BtfLinkage.Global) =>
        Add(BtfKind.Var, AddString(name), 0, false, CheckId(typeId), [(uint)linkage]);

    /// <summary>Adds a DATASEC (e.g. <c>.data</c>) of <paramref name="size"/> bytes, with no variables yet.</summary>
    public int AddDataSec(string name, uint size) => Add(BtfKind.DataSec, AddString(name), 0, false, size, default);

    /// <summary>Appends a variable (VAR, or FUNC for <c>.ksyms</c>) at <paramref name="offset"/> to a DATASEC.</summary>
    public void AddDataSecVar(int dataSecId, int varId, uint offset, uint size)
    {
        ref var e = ref Entry(dataSecId);
        if (KindOf(e) != BtfKind.DataSec) throw new ArgumentException($"[{dataSecId}] is not a DATASEC", nameof(dataSecId));
        Append(dataSecId, ref e, [CheckId(varId), offset, size]);
    }

    /// <summary>
    /// Changes the offset and size of a DATASEC's <paramref name="index"/>-th variable (clang leaves them 0; loaders fill
    /// them in from the ELF symbol table, as libbpf does).
    /// </summary>
    public void SetDataSecVar(int dataSecId, int index, uint offset, uint size)
    {
        ref var e = ref Entry(dataSecId);
        if (KindOf(e) != BtfKind.DataSec) throw new ArgumentException($"[{dataSecId}] is not a DATASEC", nameof(dataSecId));
        if ((uint)index >= (uint)VlenOf(e)) throw new ArgumentOutOfRangeException(nameof(index), index, $"[{dataSecId}] has {VlenOf(e)} variables");
        _pool[e.TrailerStart + index * 3 + 1] = offset;
        _pool[e.TrailerStart + index * 3 + 2] = size;
    }

    /// <summary>Adds a FLOAT of 2, 4, 8, 12 or 16 bytes.</summary>
    public int AddFloat(string name, uint size)
    {
        if (size is not (2 or 4 or 8 or 12 or 16)) throw new ArgumentOutOfRangeException(nameof(size), size, "FLOAT size is 2, 4, 8, 12 or 16");
        return Add(BtfKind.Float, AddString(name), 0, false, size, default);
    }

    /// <summary>
    /// Adds a DECL_TAG (<c>btf_decl_tag("value")</c>) on a struct, union, var, func or typedef;
    /// <paramref name="componentIndex"/> is a member or parameter index, or -1 for the declaration itself.
    /// </summary>
    public int AddDeclTag(string value, int typeId, int componentIndex = -1, bool attribute = false)
    {
        if (componentIndex < -1) throw new ArgumentOutOfRangeException(nameof(componentIndex), componentIndex, "component index is -1 or a member/parameter index");
        return Add(BtfKind.DeclTag, AddString(value), 0, attribute, CheckId(typeId), [(uint)componentIndex]);
    }

    /// <summary>
    /// Copies a type from another BTF: its names are added to this builder's strings and every type id it refers to
    /// is passed through <paramref name="mapTypeId"/> (identity when null). Returns the new id.
    /// </summary>
    /// <remarks>With ids assigned up front (e.g. a dependency closure in id order), types can be copied in any order.</remarks>
    public int AddCopy(BtfType source, Func<int, int>? mapTypeId = null)
    {
        if (source.IsVoid) throw new ArgumentException("void (id 0) is not a type record", nameof(source));
        var spec = source.Spec;
        Func<int, int> map = mapTypeId ?? (static id => id);
        uint Str(uint off) => AddString(spec.GetStringUtf8(off));
        uint Id(int id) => CheckId(map(id));

        var kind = source.Kind;
        int vlen = source.Vlen;
        uint third = kind.HasTypeReference() ? Id(source.ReferencedTypeId) : source.SizeOrType;
        int trailerBytes = source.RecordSize - 12;
        uint[] trailer = new uint[trailerBytes / 4];
        MemoryMarshal.Cast<byte, uint>(source.RecordBytes.Slice(12, trailer.Length * 4)).CopyTo(trailer);
        switch (kind)
        {
            case BtfKind.Array:
                trailer[0] = Id((int)trailer[0]);
                trailer[1] = Id((int)trailer[1]);
                break;
            case BtfKind.Struct or BtfKind.Union:
                for (int i = 0; i < vlen; i++) { trailer[i * 3] = Str(trailer[i * 3]); trailer[i * 3 + 1] = Id((int)trailer[i * 3 + 1]); }
                break;
            case BtfKind.Enum:
                for (int i = 0; i < vlen; i++) trailer[i * 2] = Str(trailer[i * 2]);
                break;
            case BtfKind.Enum64:
                for (int i = 0; i < vlen; i++) trailer[i * 3] = Str(trailer[i * 3]);
                break;
            case BtfKind.FuncProto:
                for (int i = 0; i < vlen; i++) { trailer[i * 2] = Str(trailer[i * 2]); trailer[i * 2 + 1] = Id((int)trailer[i * 2 + 1]); }
                break;
            case BtfKind.DataSec:
                for (int i = 0; i < vlen; i++) trailer[i * 3] = Id((int)trailer[i * 3]);
                break;
        }
        return Add(kind, Str(source.NameOffset), vlen, source.KindFlag, third, trailer);
    }

    /// <summary>Changes the size of an INT, STRUCT, UNION, ENUM, ENUM64, DATASEC or FLOAT created earlier.</summary>
    public void SetSize(int typeId, uint size)
    {
        ref var e = ref Entry(typeId);
        if (KindOf(e).HasTypeReference()) throw new ArgumentException($"[{typeId}] has a type reference, not a size", nameof(typeId));
        e.SizeOrType = size;
    }

    /// <summary>Changes the type a PTR, TYPEDEF, modifier, FUNC, FUNC_PROTO (return), VAR or tag refers to (to close cycles).</summary>
    public void SetReferencedType(int typeId, int targetId)
    {
        ref var e = ref Entry(typeId);
        if (!KindOf(e).HasTypeReference()) throw new ArgumentException($"[{typeId}] has a size, not a type reference", nameof(typeId));
        e.SizeOrType = CheckId(targetId);
    }

    /// <summary>The kind of a type of this builder (or of its base).</summary>
    public BtfKind GetKind(int typeId) =>
        typeId < StartId ? (Base is null ? (typeId == 0 ? BtfKind.Unknown : throw BadId(typeId)) : Base[typeId].Kind) : KindOf(Entry(typeId));

    /// <summary>The vlen (members, values, params, vars; a FUNC's linkage) of a type of this builder.</summary>
    public int GetVlen(int typeId) => VlenOf(Entry(typeId));

    /// <summary>The name of a type of this builder ("" when anonymous).</summary>
    public string GetName(int typeId) => GetString(Entry(typeId).NameOffset);

    // ------------------------------------------------------------------ output

    /// <summary>Writes the BTF and parses it back as a <see cref="BtfSpec"/> (over <see cref="Base"/>).</summary>
    public BtfSpec Build(string? source = null) => BtfSpec.Parse(ToArray(), Base, source);

    /// <summary>
    /// Serialises the BTF: header, type section, (optional layout section,) string section.
    /// </summary>
    /// <param name="bigEndian">Write big-endian BTF (for <c>bpfeb</c> targets).</param>
    /// <param name="layoutSection">Write the 2026 layout section with a 32-byte header; null: as
    /// <see cref="WritesLayoutSection"/> says (false for new builders, as the source had it for <see cref="From"/>).</param>
    /// <exception cref="InvalidOperationException">A type refers to an id that was never added.</exception>
    public byte[] ToArray(bool bigEndian = false, bool? layoutSection = null)
    {
        bool layout = layoutSection ?? WritesLayoutSection;
        CheckReferences();
        int hdrLen = layout ? BtfHeader.LayoutSize : HeaderLength;
        long typeLen = 0;
        for (int i = 0; i < _count; i++) typeLen += 12 + 4L * _types[i].TrailerWords;
        var layoutEntries = LayoutEntries();
        int layoutLen = layout ? layoutEntries.Length * 4 : 0;
        long total = hdrLen + typeLen + layoutLen + _strings.Length;
        if (total > Array.MaxLength) throw new InvalidOperationException($"BTF of {total} bytes is too large");
        var bytes = new byte[total];
        var span = bytes.AsSpan();

        // Header.
        WriteU16(span, 0, BtfHeader.BtfMagic, bigEndian);
        span[2] = 1;
        span[3] = 0;
        WriteU32(span, 4, (uint)hdrLen, bigEndian);
        WriteU32(span, 8, 0, bigEndian);
        WriteU32(span, 12, (uint)typeLen, bigEndian);
        WriteU32(span, 16, (uint)(typeLen + layoutLen), bigEndian);
        WriteU32(span, 20, (uint)_strings.Length, bigEndian);
        if (hdrLen == BtfHeader.LayoutSize)
        {
            WriteU32(span, 24, layout ? (uint)typeLen : 0, bigEndian);
            WriteU32(span, 28, (uint)layoutLen, bigEndian);
        }

        // Types: every field is a 32-bit word, so byte order is per word.
        int pos = hdrLen;
        for (int i = 0; i < _count; i++)
        {
            ref var e = ref _types[i];
            WriteU32(span, pos, e.NameOffset, bigEndian);
            WriteU32(span, pos + 4, e.Info, bigEndian);
            WriteU32(span, pos + 8, e.SizeOrType, bigEndian);
            pos += 12;
            var trailer = _pool.AsSpan(e.TrailerStart, e.TrailerWords);
            var dest = MemoryMarshal.Cast<byte, uint>(span.Slice(pos, trailer.Length * 4));
            if (bigEndian == !BitConverter.IsLittleEndian) trailer.CopyTo(dest);
            else BinaryPrimitives.ReverseEndianness(trailer, dest);
            pos += trailer.Length * 4;
        }

        if (layout)
        {
            foreach (var l in layoutEntries)
            {
                span[pos] = l.InfoSize;
                span[pos + 1] = l.ElementSize;
                WriteU16(span, pos + 2, l.Flags, bigEndian);
                pos += 4;
            }
        }
        _strings.Bytes.CopyTo(span[pos..]);
        return bytes;
    }

    private BtfLayoutEntry[] LayoutEntries()
    {
        if (_sourceLayout.Length > 0) return _sourceLayout;
        var entries = new BtfLayoutEntry[(int)BtfKinds.MaxKnown + 1];
        for (int k = 1; k < entries.Length; k++)
        {
            var kind = (BtfKind)k;
            int info = BtfKinds.TrailerSize(kind, 0);
            int elem = BtfKinds.TrailerSize(kind, 1) - info;
            entries[k] = new BtfLayoutEntry((byte)info, (byte)elem, 0);
        }
        return entries;
    }

    private void CheckReferences()
    {
        int count = TypeCount;
        for (int i = 0; i < _count; i++)
        {
            ref var e = ref _types[i];
            var kind = KindOf(e);
            int id = StartId + i;
            if (kind.HasTypeReference()) Check(e.SizeOrType, id);
            var t = _pool.AsSpan(e.TrailerStart, e.TrailerWords);
            switch (kind)
            {
                case BtfKind.Array: Check(t[0], id); Check(t[1], id); break;
                case BtfKind.Struct or BtfKind.Union: for (int m = 1; m < t.Length; m += 3) Check(t[m], id); break;
                case BtfKind.FuncProto: for (int m = 1; m < t.Length; m += 2) Check(t[m], id); break;
                case BtfKind.DataSec: for (int m = 0; m < t.Length; m += 3) Check(t[m], id); break;
            }
        }

        void Check(uint target, int id)
        {
            if (target >= (uint)count)
                throw new InvalidOperationException($"[{id}] refers to type id {target}, which was never added (type count {count})");
        }
    }

    private static void WriteU32(Span<byte> s, int at, uint v, bool bigEndian)
    {
        if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(s[at..], v);
        else BinaryPrimitives.WriteUInt32LittleEndian(s[at..], v);
    }

    private static void WriteU16(Span<byte> s, int at, ushort v, bool bigEndian)
    {
        if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(s[at..], v);
        else BinaryPrimitives.WriteUInt16LittleEndian(s[at..], v);
    }

    // ------------------------------------------------------------------ storage

    private static BtfKind KindOf(in TypeEntry e) => (BtfKind)((e.Info >> 24) & 0x7f);
    private static int VlenOf(in TypeEntry e) => (int)(e.Info & 0xffffff);

    private static uint CheckId(int id) =>
        id >= 0 ? (uint)id : throw new ArgumentOutOfRangeException(nameof(id), id, "type ids are not negative");

    private ArgumentOutOfRangeException BadId(int typeId) =>
        new(nameof(typeId), typeId, $"type id {typeId} is not one of this builder's ids [{StartId}, {TypeCount})");

    private ref TypeEntry Entry(int typeId)
    {
        int local = typeId - StartId;
        if ((uint)local >= (uint)_count) throw BadId(typeId);
        return ref _types[local];
    }

    private int Add(BtfKind kind, uint nameOffset, int vlen, bool kindFlag, uint sizeOrType, ReadOnlySpan<uint> trailer)
    {
        if ((uint)vlen > MaxVlen) throw new ArgumentOutOfRangeException(nameof(vlen), vlen, "vlen has 24 bits");
        if (_count == _types.Length) Array.Resize(ref _types, _types.Length * 2);
        if ((long)StartId + _count >= int.MaxValue) throw new InvalidOperationException("too many types");
        ref var e = ref _types[_count];
        e.NameOffset = nameOffset;
        e.Info = (kindFlag ? 0x80000000u : 0) | (uint)kind << 24 | (uint)vlen;
        e.SizeOrType = sizeOrType;
        e.TrailerStart = _poolUsed;
        e.TrailerWords = 0;
        e.TrailerCapacity = 0;
        if (!trailer.IsEmpty)
        {
            EnsurePool(_poolUsed + trailer.Length);
            trailer.CopyTo(_pool.AsSpan(_poolUsed));
            _poolUsed += trailer.Length;
            e.TrailerWords = e.TrailerCapacity = trailer.Length;
        }
        return StartId + _count++;
    }

    // Appends one vlen element to a type's trailer, moving the trailer to the end of the pool when it has no room.
    private void Append(int typeId, ref TypeEntry e, ReadOnlySpan<uint> element)
    {
        int vlen = VlenOf(e);
        if (vlen >= MaxVlen) throw new InvalidOperationException($"[{typeId}] already has {MaxVlen} entries");
        int needed = e.TrailerWords + element.Length;
        if (needed > e.TrailerCapacity)
        {
            if (e.TrailerStart + e.TrailerCapacity == _poolUsed)
            {
                // The last block of the pool: grow in place.
                EnsurePool(e.TrailerStart + needed);
                _poolUsed = e.TrailerStart + needed;
                e.TrailerCapacity = needed;
            }
            else
            {
                int capacity = Math.Max(8, needed * 2);
                EnsurePool(_poolUsed + capacity);
                _pool.AsSpan(e.TrailerStart, e.TrailerWords).CopyTo(_pool.AsSpan(_poolUsed));
                e.TrailerStart = _poolUsed;
                e.TrailerCapacity = capacity;
                _poolUsed += capacity;
            }
        }
        element.CopyTo(_pool.AsSpan(e.TrailerStart + e.TrailerWords));
        e.TrailerWords += element.Length;
        e.Info = (e.Info & ~0xffffffu) | (uint)(vlen + 1);
    }

    private void EnsurePool(int needed)
    {
        if (needed > _pool.Length) Array.Resize(ref _pool, Math.Max(needed, _pool.Length * 2));
    }
}
