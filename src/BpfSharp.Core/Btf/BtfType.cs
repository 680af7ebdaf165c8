using System.Runtime.CompilerServices;

namespace BpfSharp.Btf;

/// <summary>
/// A view of one BTF type record (<c>struct btf_type</c> plus its kind-specific data). Cheap to copy; reads on demand.
/// </summary>
public readonly struct BtfType : IEquatable<BtfType>
{
    private readonly BtfSpec _spec;
    private readonly int _at; // absolute offset of the record in the spec's bytes; -1 for void

    internal BtfType(BtfSpec spec, int id, int at)
    {
        _spec = spec;
        Id = id;
        _at = at;
    }

    /// <summary>The BTF this type belongs to (for base types of split BTF: the base).</summary>
    public BtfSpec Spec => _spec;

    /// <summary>The type id.</summary>
    public int Id { get; }

    /// <summary>True for type id 0 (void).</summary>
    public bool IsVoid => _at < 0;

    /// <summary>Offset of the name in the string section.</summary>
    public uint NameOffset => _at < 0 ? 0 : _spec.U32(_at);

    /// <summary>The raw <c>info</c> word.</summary>
    public uint Info => _at < 0 ? 0 : _spec.U32(_at + 4);

    /// <summary>The kind (bits 24-30 of info).</summary>
    public BtfKind Kind => (BtfKind)((Info >> 24) & 0x7f);

    /// <summary>The number of members/values/params/vars (bits 0-23 of info); a FUNC's linkage.</summary>
    public int Vlen => (int)(Info & 0xffffff);

    /// <summary>The kind flag (bit 31 of info): bitfield offsets, signed enums, union forwards, type-tag attributes.</summary>
    public bool KindFlag => (Info & 0x80000000u) != 0;

    /// <summary>The third header word: a size (INT, ENUM, STRUCT, UNION, DATASEC, FLOAT, ENUM64) or a type id.</summary>
    public uint SizeOrType => _at < 0 ? 0 : _spec.U32(_at + 8);

    /// <summary>The size in bytes, for kinds that have one.</summary>
    public uint Size => SizeOrType;

    /// <summary>The referenced type id (PTR, TYPEDEF, modifiers, FUNC, FUNC_PROTO return, VAR, DECL_TAG, TYPE_TAG).</summary>
    public int ReferencedTypeId => (int)SizeOrType;

    /// <summary>The name as UTF-8 bytes (empty for anonymous types).</summary>
    public ReadOnlySpan<byte> NameUtf8 => _spec.GetStringUtf8(NameOffset);

    /// <summary>The name (empty for anonymous types).</summary>
    public string Name => _spec.GetString(NameOffset);

    /// <summary>True if the type has an empty name.</summary>
    public bool IsAnonymous => NameOffset == 0 || NameUtf8.IsEmpty;

    // ---- INT
    private uint IntData => _spec.U32(_at + 12);
    /// <summary>INT encoding bits (<c>BTF_INT_ENCODING</c>).</summary>
    public BtfIntEncoding IntEncoding => (BtfIntEncoding)((IntData >> 24) & 0x0f);
    /// <summary>INT bit offset (<c>BTF_INT_OFFSET</c>).</summary>
    public int IntOffset => (int)((IntData >> 16) & 0xff);
    /// <summary>INT number of bits (<c>BTF_INT_BITS</c>).</summary>
    public int IntBits => (int)(IntData & 0xff);
    /// <summary>The raw INT data word.</summary>
    public uint IntRaw => IntData;

    // ---- ARRAY
    /// <summary>ARRAY element type id.</summary>
    public int ArrayElementType => (int)_spec.U32(_at + 12);
    /// <summary>ARRAY index type id.</summary>
    public int ArrayIndexType => (int)_spec.U32(_at + 16);
    /// <summary>ARRAY element count.</summary>
    public uint ArrayLength => _spec.U32(_at + 20);

    // ---- STRUCT / UNION
    /// <summary>The i-th member of a STRUCT or UNION.</summary>
    public BtfMember GetMember(int index)
    {
        CheckIndex(index);
        int at = _at + 12 + index * 12;
        return new BtfMember(_spec, _spec.U32(at), (int)_spec.U32(at + 4), _spec.U32(at + 8), KindFlag);
    }

    /// <summary>Members of a STRUCT or UNION (no allocation).</summary>
    public MemberList Members => new(this);

    // ---- ENUM / ENUM64
    /// <summary>The i-th enumerator of an ENUM or ENUM64. Its <see cref="BtfEnumValue.RawValue"/> is the raw 32 or 64 bits.</summary>
    public BtfEnumValue GetEnumValue(int index)
    {
        CheckIndex(index);
        if (Kind == BtfKind.Enum64)
        {
            int at = _at + 12 + index * 12;
            ulong v = _spec.U32(at + 4) | ((ulong)_spec.U32(at + 8) << 32);
            return new BtfEnumValue(_spec, _spec.U32(at), v, KindFlag, true);
        }
        int at32 = _at + 12 + index * 8;
        return new BtfEnumValue(_spec, _spec.U32(at32), _spec.U32(at32 + 4), KindFlag, false);
    }

    // ---- FUNC_PROTO
    /// <summary>The i-th parameter of a FUNC_PROTO.</summary>
    public BtfParam GetParam(int index)
    {
        CheckIndex(index);
        int at = _at + 12 + index * 8;
        return new BtfParam(_spec, _spec.U32(at), (int)_spec.U32(at + 4));
    }

    // ---- FUNC / VAR
    /// <summary>Linkage of a FUNC (its vlen) or VAR (its trailer word).</summary>
    public BtfLinkage Linkage => Kind == BtfKind.Var ? (BtfLinkage)_spec.U32(_at + 12) : (BtfLinkage)Vlen;

    // ---- DATASEC
    /// <summary>The i-th variable entry of a DATASEC.</summary>
    public BtfDataSecVar GetDataSecVar(int index)
    {
        CheckIndex(index);
        int at = _at + 12 + index * 12;
        return new BtfDataSecVar((int)_spec.U32(at), _spec.U32(at + 4), _spec.U32(at + 8));
    }

    // ---- DECL_TAG
    /// <summary>DECL_TAG component index (-1: the declaration itself).</summary>
    public int DeclTagComponentIndex => (int)_spec.U32(_at + 12);

    /// <summary>Total size of this record in the type section.</summary>
    public int RecordSize
    {
        get
        {
            if (_at < 0) return 0;
            int t = BtfKinds.TrailerSize(Kind, Vlen);
            if (t >= 0) return 12 + t;
            var l = _spec.Layout[(int)Kind];
            return 12 + l.InfoSize + Vlen * l.ElementSize;
        }
    }

    /// <summary>The raw bytes of this record (little-endian).</summary>
    public ReadOnlySpan<byte> RecordBytes => _at < 0 ? default : _spec.Slice(_at, RecordSize);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Vlen) ThrowIndex(index);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowIndex(int index) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, $"[{Id}] {Kind.ToBpftoolName()} has {Vlen} entries");

    /// <inheritdoc />
    public bool Equals(BtfType other) => ReferenceEquals(_spec, other._spec) && Id == other.Id;
    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is BtfType t && Equals(t);
    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(RuntimeHelpers.GetHashCode(_spec), Id);
    /// <summary>Same BTF and same id.</summary>
    public static bool operator ==(BtfType a, BtfType b) => a.Equals(b);
    /// <summary>Different BTF or different id.</summary>
    public static bool operator !=(BtfType a, BtfType b) => !a.Equals(b);

    /// <inheritdoc />
    public override string ToString() => IsVoid ? "[0] void" : $"[{Id}] {Kind.ToBpftoolName()} '{Name}'";

    /// <summary>Allocation-free list of members.</summary>
    public readonly struct MemberList
    {
        private readonly BtfType _type;
        internal MemberList(BtfType type) => _type = type;
        /// <summary>Number of members.</summary>
        public int Count => _type.Kind.IsComposite() ? _type.Vlen : 0;
        /// <summary>The i-th member.</summary>
        public BtfMember this[int index] => _type.GetMember(index);
        /// <summary>Enumerates the members.</summary>
        public Enumerator GetEnumerator() => new(_type, Count);

        /// <summary>Member enumerator.</summary>
        public struct Enumerator
        {
            private readonly BtfType _type;
            private readonly int _count;
            private int _i;
            internal Enumerator(BtfType type, int count) { _type = type; _count = count; _i = -1; }
            /// <summary>Advances.</summary>
            public bool MoveNext() => ++_i < _count;
            /// <summary>The current member.</summary>
            public readonly BtfMember Current => _type.GetMember(_i);
        }
    }
}

/// <summary>A STRUCT/UNION member (<c>struct btf_member</c>).</summary>
public readonly struct BtfMember
{
    private readonly BtfSpec _spec;
    internal BtfMember(BtfSpec spec, uint nameOffset, int typeId, uint rawOffset, bool kindFlag)
    {
        _spec = spec;
        NameOffset = nameOffset;
        TypeId = typeId;
        RawOffset = rawOffset;
        KindFlag = kindFlag;
    }
    /// <summary>Name offset.</summary>
    public uint NameOffset { get; }
    /// <summary>Member type id.</summary>
    public int TypeId { get; }
    /// <summary>The raw offset word.</summary>
    public uint RawOffset { get; }
    /// <summary>The owning type's kind flag (bitfield encoding).</summary>
    public bool KindFlag { get; }
    /// <summary>Bit offset from the start of the struct (<c>btf_member_bit_offset</c>).</summary>
    public uint BitOffset => KindFlag ? RawOffset & 0xffffff : RawOffset;
    /// <summary>Bitfield size, or 0 (<c>btf_member_bitfield_size</c>).</summary>
    public uint BitfieldSize => KindFlag ? RawOffset >> 24 : 0;
    /// <summary>Name as UTF-8.</summary>
    public ReadOnlySpan<byte> NameUtf8 => _spec.GetStringUtf8(NameOffset);
    /// <summary>Name ("" for anonymous members).</summary>
    public string Name => _spec.GetString(NameOffset);
}

/// <summary>An ENUM or ENUM64 enumerator.</summary>
public readonly struct BtfEnumValue
{
    private readonly BtfSpec _spec;
    internal BtfEnumValue(BtfSpec spec, uint nameOffset, ulong rawValue, bool signed, bool is64)
    {
        _spec = spec;
        NameOffset = nameOffset;
        RawValue = rawValue;
        IsSigned = signed;
        Is64 = is64;
    }
    /// <summary>Name offset.</summary>
    public uint NameOffset { get; }
    /// <summary>The raw value bits (32 for ENUM, 64 for ENUM64), zero-extended.</summary>
    public ulong RawValue { get; }
    /// <summary>The owning enum's kind flag: values are signed.</summary>
    public bool IsSigned { get; }
    /// <summary>True for ENUM64 values.</summary>
    public bool Is64 { get; }
    /// <summary>The value with the enum's signedness applied, as a 64-bit integer.</summary>
    public long Value => Is64 ? (long)RawValue : IsSigned ? (int)(uint)RawValue : (long)(uint)RawValue;
    /// <summary>Name as UTF-8.</summary>
    public ReadOnlySpan<byte> NameUtf8 => _spec.GetStringUtf8(NameOffset);
    /// <summary>Name.</summary>
    public string Name => _spec.GetString(NameOffset);
}

/// <summary>A FUNC_PROTO parameter (<c>struct btf_param</c>).</summary>
public readonly struct BtfParam
{
    private readonly BtfSpec _spec;
    internal BtfParam(BtfSpec spec, uint nameOffset, int typeId)
    {
        _spec = spec;
        NameOffset = nameOffset;
        TypeId = typeId;
    }
    /// <summary>Name offset.</summary>
    public uint NameOffset { get; }
    /// <summary>Parameter type id (0 with an empty name marks varargs).</summary>
    public int TypeId { get; }
    /// <summary>Name.</summary>
    public string Name => _spec.GetString(NameOffset);
    /// <summary>Name as UTF-8.</summary>
    public ReadOnlySpan<byte> NameUtf8 => _spec.GetStringUtf8(NameOffset);
}

/// <summary>A DATASEC entry (<c>struct btf_var_secinfo</c>).</summary>
/// <param name="TypeId">The VAR (or FUNC for .ksyms) type id.</param>
/// <param name="Offset">Offset in the section.</param>
/// <param name="Size">Size in bytes.</param>
public readonly record struct BtfDataSecVar(int TypeId, uint Offset, uint Size);
