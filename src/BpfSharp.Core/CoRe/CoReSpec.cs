using System.Globalization;
using System.Text;
using BpfSharp.Btf;

namespace BpfSharp.CoRe;

/// <summary>
/// A parsed CO-RE access specification (<c>struct bpf_core_spec</c>): the root type, the raw access indices from the
/// access string, the high-level accessors (named members, array indices, enumerator) and the bit offset they reach.
/// A spec describes either the local side (parsed from a relocation record) or a matched target candidate.
/// Instances are reusable scratch buffers inside the engine; the public <see cref="Parse"/> returns a fresh one.
/// </summary>
public sealed partial class CoReSpec
{
    /// <summary><c>BPF_CORE_SPEC_MAX_LEN</c>: at most 64 raw indices / accessors.</summary>
    public const int MaxLength = 64;

    private readonly CoReAccessor[] _accessors = new CoReAccessor[MaxLength];
    private readonly int[] _raw = new int[MaxLength];

    internal CoReSpec() => Btf = null!;

    /// <summary>The BTF the type ids refer to (local object BTF or a target).</summary>
    public BtfSpec Btf { get; private set; }

    /// <summary>The root type id, not stripped of typedefs/modifiers (the record's type id, or the candidate id).</summary>
    public int RootTypeId { get; private set; }

    /// <summary>The relocation kind this spec was made for.</summary>
    public CoReRelocationKind Kind { get; private set; }

    /// <summary>Number of high-level accessors.</summary>
    public int Length { get; private set; }

    /// <summary>Number of raw indices.</summary>
    public int RawLength { get; private set; }

    /// <summary>Bit offset of the accessed field from the start of the root (field-based kinds).</summary>
    public uint BitOffset { get; private set; }

    /// <summary>The high-level accessors.</summary>
    public ReadOnlySpan<CoReAccessor> Accessors => _accessors.AsSpan(0, Length);

    /// <summary>The raw access indices (as in the access string for the local side; matched member indices for a target).</summary>
    public ReadOnlySpan<int> RawIndices => _raw.AsSpan(0, RawLength);

    /// <summary>The name of an accessor (member or enumerator name) as UTF-8; empty for array/root accessors.</summary>
    public ReadOnlySpan<byte> AccessorName(int index)
    {
        var a = _accessors[index];
        return a.HasName ? Btf.GetStringUtf8(a.NameOffset) : default;
    }

    internal void Reset(BtfSpec btf, int rootTypeId, CoReRelocationKind kind)
    {
        Btf = btf;
        RootTypeId = rootTypeId;
        Kind = kind;
        Length = 0;
        RawLength = 0;
        BitOffset = 0;
        _raw[0] = 0; // libbpf memsets the spec: an unmatched enumval spec still formats enumerator 0
    }

    internal void CopyFrom(CoReSpec other)
    {
        Btf = other.Btf;
        RootTypeId = other.RootTypeId;
        Kind = other.Kind;
        Length = other.Length;
        RawLength = other.RawLength;
        BitOffset = other.BitOffset;
        other._accessors.AsSpan(0, other.Length).CopyTo(_accessors);
        other._raw.AsSpan(0, other.RawLength).CopyTo(_raw);
    }

    /// <summary>
    /// Parses the local side of a relocation record exactly as libbpf's <c>bpf_core_parse_spec</c>.
    /// </summary>
    /// <param name="local">The object's BTF (holds the record's type and access string).</param>
    /// <param name="record">The relocation record.</param>
    /// <exception cref="BpfFormatException">The access string or type is invalid for the kind (libbpf: -EINVAL/-E2BIG).</exception>
    public static CoReSpec Parse(BtfSpec local, CoReRelocationRecord record)
    {
        ArgumentNullException.ThrowIfNull(local);
        var spec = new CoReSpec();
        int err = spec.ParseLocal(local, record, null, null);
        if (err != 0)
        {
            throw new BpfFormatException(BpfFormatError.CoReBadRecord, BpfFormat.CoRe,
                $"parsing [{record.TypeId}] + '{(local.IsValidStringOffset(record.AccessStringOffset) ? local.GetString(record.AccessStringOffset) : "<?>")}' " +
                $"({record.Kind.ToLibbpfString()}) at insn_off {record.InstructionByteOffset} failed: {CoReErrno.ToErrString(err)}",
                ".BTF.ext", -1, local.Source);
        }
        return spec;
    }

    /// <summary>Tries to parse; returns 0 or a negative errno like libbpf (no exception for bad records).</summary>
    public static int TryParse(BtfSpec local, CoReRelocationRecord record, out CoReSpec spec)
    {
        ArgumentNullException.ThrowIfNull(local);
        spec = new CoReSpec();
        return spec.ParseLocal(local, record, null, null);
    }

    /// <summary>
    /// <c>bpf_core_parse_spec</c> into this instance. <paramref name="log"/>/<paramref name="programName"/> receive
    /// libbpf's warning for an accessor that captures an unexpected kind.
    /// </summary>
    internal int ParseLocal(BtfSpec btf, CoReRelocationRecord relo, CoReLog? log, string? programName)
    {
        Reset(btf, relo.TypeId, relo.Kind);
        if (!btf.IsValidTypeId(relo.TypeId) || !btf.IsValidStringOffset(relo.AccessStringOffset)) return -CoReErrno.EINVAL;
        var s = btf.GetStringUtf8(relo.AccessStringOffset);
        if (s.IsEmpty || s[0] == (byte)':') return -CoReErrno.EINVAL;

        if (relo.Kind.IsTypeBased())
            return s.Length == 1 && s[0] == (byte)'0' ? 0 : -CoReErrno.EINVAL;

        int pos = 0;
        while (pos < s.Length)
        {
            if (s[pos] == (byte)':') pos++;
            if (!TryScanInt(s, ref pos, out int idx)) return -CoReErrno.EINVAL;
            if (idx < 0) return -CoReErrno.EINVAL;
            if (RawLength == MaxLength) return -CoReErrno.E2BIG;
            _raw[RawLength++] = idx;
        }
        if (RawLength == 0) return -CoReErrno.EINVAL;

        int id = relo.TypeId;
        var t = SkipModsAndTypedefs(btf, ref id);
        int access = _raw[0];
        _accessors[0] = new CoReAccessor(id, access, 0, false);
        Length = 1;

        if (relo.Kind.IsEnumValueBased())
        {
            if (!t.Kind.IsAnyEnum() || RawLength > 1 || access >= t.Vlen) return -CoReErrno.EINVAL;
            _accessors[0] = new CoReAccessor(id, access, t.GetEnumValue(access).NameOffset, true);
            return 0;
        }
        if (!relo.Kind.IsFieldBased()) return -CoReErrno.EINVAL;

        if (!btf.TryResolveSize(id, out long size)) return -CoReErrno.EINVAL;
        BitOffset = unchecked((uint)((long)access * size * 8));

        for (int i = 1; i < RawLength; i++)
        {
            t = SkipModsAndTypedefs(btf, ref id);
            access = _raw[i];
            if (t.Kind.IsComposite())
            {
                if (access >= t.Vlen) return -CoReErrno.EINVAL;
                var m = t.GetMember(access);
                BitOffset = unchecked(BitOffset + m.BitOffset);
                if (m.NameOffset != 0)
                {
                    if (m.NameUtf8.IsEmpty) return -CoReErrno.EINVAL;
                    _accessors[Length++] = new CoReAccessor(id, access, m.NameOffset, true);
                }
                id = m.TypeId;
            }
            else if (t.Kind == BtfKind.Array)
            {
                uint nelems = t.ArrayLength;
                id = t.ArrayElementType;
                SkipModsAndTypedefs(btf, ref id);
                bool flex = IsFlexArray(btf, _accessors[Length - 1], nelems);
                if (!flex && (uint)access >= nelems) return -CoReErrno.EINVAL;
                _accessors[Length++] = new CoReAccessor(id, access, 0, false);
                if (!btf.TryResolveSize(id, out size)) return -CoReErrno.EINVAL;
                BitOffset = unchecked(BitOffset + (uint)((long)access * size * 8));
            }
            else
            {
                log?.Warn($"prog '{programName}': relo for [{relo.TypeId}] {Encoding.UTF8.GetString(s)} (at idx {i}) captures type [{id}] of unexpected kind {t.Kind.ToLibbpfString()}");
                return -CoReErrno.EINVAL;
            }
        }
        return 0;
    }

    // sscanf("%d%n"): optional whitespace and sign, at least one digit. Overflow is rejected (glibc would truncate).
    private static bool TryScanInt(ReadOnlySpan<byte> s, ref int pos, out int value)
    {
        value = 0;
        int p = pos;
        while (p < s.Length && (s[p] == (byte)' ' || (s[p] >= 9 && s[p] <= 13))) p++;
        bool negative = false;
        if (p < s.Length && (s[p] == (byte)'+' || s[p] == (byte)'-')) negative = s[p++] == (byte)'-';
        int start = p;
        long v = 0;
        while (p < s.Length && s[p] >= (byte)'0' && s[p] <= (byte)'9')
        {
            v = v * 10 + (s[p] - '0');
            if (v > int.MaxValue + 1L) return false;
            p++;
        }
        if (p == start) return false;
        if (negative) v = -v;
        if (v > int.MaxValue || v < int.MinValue) return false;
        value = (int)v;
        pos = p;
        return true;
    }

    /// <summary>libbpf's <c>is_flex_arr</c>: zero-length array that is the last member of the previous named accessor's composite.</summary>
    internal static bool IsFlexArray(BtfSpec btf, in CoReAccessor previous, uint nelems)
    {
        if (!previous.HasName || nelems > 0) return false;
        return previous.Index == btf.GetType(previous.TypeId).Vlen - 1;
    }

    internal static BtfType SkipModsAndTypedefs(BtfSpec btf, ref int id)
    {
        var t = btf.SkipModifiersAndTypedefs(id);
        id = t.Id;
        return t;
    }

    /// <summary>
    /// Formats the spec exactly like libbpf's <c>bpf_core_format_spec</c> (256-byte buffer, so at most 255 bytes):
    /// <c>&lt;byte_off&gt; [5] struct task_struct.pid (0:81 @ offset 2536)</c>.
    /// </summary>
    public string Format()
    {
        var sb = new StringBuilder(96);
        FormatTo(sb);
        return sb.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => Format();

    /// <summary>Appends the libbpf formatting of this spec to <paramref name="sb"/>.</summary>
    public void FormatTo(StringBuilder sb)
    {
        ArgumentNullException.ThrowIfNull(sb);
        int start = sb.Length;
        var inv = CultureInfo.InvariantCulture;
        var root = Btf.IsValidTypeId(RootTypeId) ? Btf.GetType(RootTypeId) : default;
        sb.Append('<').Append(Kind.ToLibbpfString()).Append("> [").Append(inv, $"{(uint)RootTypeId}").Append("] ")
          .Append(root.Spec is null ? "unknown" : root.Kind.ToLibbpfString()).Append(' ');
        var rootName = root.Spec is null ? default : root.NameUtf8;
        if (rootName.IsEmpty) sb.Append("<anon>"); else AppendUtf8(sb, rootName);

        if (Kind.IsTypeBased()) { Truncate(sb, start); return; }

        if (Kind.IsEnumValueBased())
        {
            {
                // Like libbpf, uses raw index 0 even when the candidate did not match (raw length 0).
                var t = Btf.SkipModifiersAndTypedefs(RootTypeId);
                if (t.Kind.IsAnyEnum() && (uint)_raw[0] < (uint)t.Vlen)
                {
                    var e = t.GetEnumValue(_raw[0]);
                    sb.Append("::");
                    AppendUtf8(sb, e.NameUtf8);
                    sb.Append(" = ");
                    if (t.Kind == BtfKind.Enum)
                        if (t.KindFlag) sb.Append(inv, $"{(int)(uint)e.RawValue}"); else sb.Append(inv, $"{(uint)e.RawValue}");
                    else
                        if (t.KindFlag) sb.Append(inv, $"{(long)e.RawValue}"); else sb.Append(inv, $"{e.RawValue}");
                }
            }
            Truncate(sb, start);
            return;
        }

        if (Kind.IsFieldBased())
        {
            for (int i = 0; i < Length; i++)
            {
                var a = _accessors[i];
                if (a.HasName) { sb.Append('.'); AppendUtf8(sb, Btf.GetStringUtf8(a.NameOffset)); }
                else if (i > 0 || a.Index > 0) sb.Append('[').Append(inv, $"{(uint)a.Index}").Append(']');
            }
            sb.Append(" (");
            for (int i = 0; i < RawLength; i++)
            {
                if (i > 0) sb.Append(':');
                sb.Append(inv, $"{_raw[i]}");
            }
            sb.Append(" @ offset ").Append(inv, $"{BitOffset / 8}");
            if (BitOffset % 8 != 0) sb.Append('.').Append(inv, $"{BitOffset % 8}");
            sb.Append(')');
        }
        Truncate(sb, start);
    }

    private static void AppendUtf8(StringBuilder sb, ReadOnlySpan<byte> utf8)
    {
        // Names are almost always ASCII: append byte-wise without allocating.
        foreach (byte b in utf8)
        {
            if (b >= 0x80) { sb.Append(Encoding.UTF8.GetString(utf8)); return; }
        }
        foreach (byte b in utf8) sb.Append((char)b);
    }

    // libbpf formats into a 256-byte buffer: anything past 255 bytes is cut off.
    private static void Truncate(StringBuilder sb, int start)
    {
        const int Max = 255;
        if (sb.Length - start <= Max / 4) return;
        int bytes = 0;
        for (int i = start; i < sb.Length; i++)
        {
            char c = sb[i];
            int n = c < 0x80 ? 1 : c < 0x800 ? 2 : char.IsSurrogate(c) ? 2 : 3;
            if (bytes + n > Max) { sb.Length = i; return; }
            bytes += n;
        }
    }
}
