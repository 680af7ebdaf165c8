using System.Runtime.CompilerServices;

namespace BpfSharp.Btf.Formatting.CHeader;

internal sealed partial class CHeaderEmitter
{
    private void EmitStructForward(int id, BtfType t)
    {
        _out.Write(t.Kind == BtfKind.Struct ? "struct"u8 : "union"u8);
        if (t.NameOffset != 0) _out.Write((byte)' ');
        WriteTypeName(id);
    }

    /// <summary>libbpf's btf_dump_emit_struct_def: members, explicit padding and the packed attribute.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EmitStructDefinition(int id, BtfType t, int level)
    {
        bool isStruct = t.Kind == BtfKind.Struct;
        int align = AlignOf(id);
        bool packed = isStruct && IsStructPacked(t);
        int vlen = t.Vlen;

        _out.Write(isStruct ? "struct"u8 : "union"u8);
        if (t.NameOffset != 0) _out.Write((byte)' ');
        WriteTypeName(id);
        _out.Write(" {"u8);

        int offset = 0;
        bool previousBitfield = false;
        for (int i = 0; i < vlen; i++)
        {
            var m = t.GetMember(i);
            int bitSize = (int)m.BitfieldSize;
            int memberOffset = (int)m.BitOffset;
            int memberAlign = packed ? 1 : AlignOf(m.TypeId);
            bool inBitfield = previousBitfield && bitSize != 0;

            EmitBitPadding(id, offset, memberOffset, memberAlign, inBitfield, level + 1);
            _out.NewLine(level + 1);
            EmitTypeDeclaration(m.TypeId, new DeclName(m.NameOffset, 0), level + 1);

            if (bitSize != 0)
            {
                _out.Write(": "u8);
                _out.WriteInt64(bitSize);
                offset = memberOffset + bitSize;
                previousBitfield = true;
            }
            else
            {
                long size = _spec.TryResolveSize(m.TypeId, out long s) ? s : 0;
                offset = unchecked(memberOffset + (int)(size * 8));
                previousBitfield = false;
            }
            _out.Write((byte)';');
        }

        if (isStruct) EmitBitPadding(id, offset, unchecked((int)(t.Size * 8)), align, false, level + 1);

        // `struct empty {}` stays on one line; anything with members or padding closes on its own line.
        if (vlen != 0 || t.Size != 0) _out.NewLine(level);
        _out.Write((byte)'}');
        if (packed) _out.Write(" __attribute__((packed))"u8);
    }

    /// <summary>
    /// libbpf's btf_is_struct_packed: a non-bitfield member off its natural alignment, or a size that is not a
    /// multiple of the largest member alignment, means the original was packed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool IsStructPacked(BtfType t)
    {
        int maxAlign = 1;
        for (int i = 0, n = t.Vlen; i < n; i++)
        {
            var m = t.GetMember(i);
            int align = AlignOf(m.TypeId);
            if (align != 0 && m.BitfieldSize == 0 && m.RawOffset % (uint)(8 * align) != 0) return true;
            maxAlign = Math.Max(align, maxAlign);
        }
        return t.Size % (uint)maxAlign != 0;
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>
    /// libbpf's btf_dump_emit_bit_padding: fills the gap from <paramref name="currentOffset"/> to
    /// <paramref name="nextOffset"/> (bits) with unnamed <c>long/int/short/char: N;</c> fields, relying on natural
    /// alignment wherever the compiler would pad by itself.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EmitBitPadding(int structId, int currentOffset, int nextOffset, int nextAlign, bool inBitfield, int level)
    {
        if (currentOffset >= nextOffset) return;
        // libbpf computes in int: with offsets that wrap it prints hundreds of megabytes of padding. Stop instead.
        if ((long)nextOffset - currentOffset > int.MaxValue)
            throw Malformed(BpfFormatError.BtfInvalidType, structId, $"[{structId}] member offsets overflow (gap from bit {currentOffset} to {nextOffset})");

        // Largest of long, int, short, char whose alignment boundary does not overshoot the next field.
        int padIndex = 0, padBits = 0, newOffset = 0;
        for (; padIndex < 4; padIndex++)
        {
            padBits = PadBits(padIndex);
            newOffset = RoundUp(currentOffset, padBits);
            if (newOffset <= nextOffset) break;
        }
        if (padIndex == 4) padIndex = 3;

        if (newOffset > currentOffset && newOffset <= nextOffset)
        {
            // An explicit `<type>: 0` alignment mark is needed when the next field sits on the boundary but its own
            // alignment would not get it there, or when the following `<type>: X` would fit in the hole and be
            // absorbed. Between bitfields the exact bit count is written instead.
            bool nextAlignMisses = nextAlign == 0 || RoundUp(currentOffset, nextAlign * 8) != newOffset;
            if (inBitfield
                || (newOffset == nextOffset && nextAlignMisses)
                || (newOffset != nextOffset && nextOffset - newOffset <= newOffset - currentOffset))
            {
                WritePadding(padIndex, inBitfield ? newOffset - currentOffset : 0, level);
            }
            currentOffset = newOffset;
        }

        // From an aligned offset: whole units of the chosen type, then the smallest type that holds the rest.
        while (currentOffset != nextOffset)
        {
            int bits = Math.Min(nextOffset - currentOffset, padBits);
            if (bits == padBits)
            {
                WritePadding(padIndex, padBits, level);
                currentOffset += bits;
                continue;
            }
            for (int i = 3; i >= 0; i--)
            {
                padIndex = i;
                padBits = PadBits(i);
                if (padBits < bits) continue;
                WritePadding(i, bits, level);
                currentOffset += bits;
                break;
            }
        }
    }

    private int PadBits(int index) => index switch { 0 => _pointerSize * 8, 1 => 32, 2 => 16, _ => 8 };

    private void WritePadding(int padIndex, int bits, int level)
    {
        _out.NewLine(level);
        _out.Write(padIndex switch { 0 => "long: "u8, 1 => "int: "u8, 2 => "short: "u8, _ => "char: "u8 });
        _out.WriteInt64(bits);
        _out.Write((byte)';');
    }

    /// <summary>
    /// libbpf's btf__align_of (with the field-offset fix): natural alignment of a type; 1 for structs that must be
    /// packed; 0 for kinds without one (void, FWD, FUNC_PROTO...). Memoised: it is asked for every member.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int AlignOf(int id)
    {
        int cached = _alignCache[id];
        if (cached > 0) return cached - 1;
        if (cached < 0)
            throw Malformed(BpfFormatError.BtfInvalidType, id, $"[{id}] contains itself (alignment cannot be computed)");
        _alignCache[id] = -1;
        Enter(id);
        var t = _spec.GetType(id);
        int align;
        switch (t.Kind)
        {
            case BtfKind.Int or BtfKind.Enum or BtfKind.Enum64 or BtfKind.Float:
                align = (int)Math.Min((uint)_pointerSize, t.Size);
                break;
            case BtfKind.Pointer:
                align = _pointerSize;
                break;
            case BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict or BtfKind.TypeTag:
                align = AlignOf(t.ReferencedTypeId);
                break;
            case BtfKind.Array:
                align = AlignOf(t.ArrayElementType);
                break;
            case BtfKind.Struct or BtfKind.Union:
                align = CompositeAlign(t);
                break;
            default:
                align = 0;
                break;
        }
        _depth--;
        _alignCache[id] = align + 1;
        return align;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int CompositeAlign(BtfType t)
    {
        int maxAlign = 1;
        for (int i = 0, n = t.Vlen; i < n; i++)
        {
            var m = t.GetMember(i);
            int align = AlignOf(m.TypeId);
            if (align <= 0) return align;
            maxAlign = Math.Max(maxAlign, align);
            // A field off its type's alignment: the struct must be packed.
            if (m.BitfieldSize == 0 && m.RawOffset % (uint)(8 * align) != 0) return 1;
        }
        return t.Size % (uint)maxAlign != 0 ? 1 : maxAlign;
    }

    // GCC's internal __PolyX_t types (Arm SIMD) have no C spelling: libbpf aliases them to standard types.
    private void EmitMissingAliases(int id)
    {
        var t = _spec.GetType(id);
        int suffix = ResolveName(id, t, _typeNames);
        if (suffix != 0 || t.NameOffset == 0) return; // a suffixed name matches none of the aliases
        var name = t.NameUtf8;
        ReadOnlySpan<byte> target;
        if (name.SequenceEqual("__Poly8_t"u8)) target = "unsigned char"u8;
        else if (name.SequenceEqual("__Poly16_t"u8)) target = "unsigned short"u8;
        else if (name.SequenceEqual("__Poly64_t"u8)) target = "unsigned long long"u8;
        else if (name.SequenceEqual("__Poly128_t"u8)) target = "unsigned __int128"u8;
        else return;
        _out.Write("typedef "u8);
        _out.Write(target);
        _out.Write((byte)' ');
        _out.Write(name);
        _out.Write(";\n\n"u8);
    }

    private void EmitEnumForward(int id)
    {
        _out.Write("enum "u8);
        WriteTypeName(id);
    }

    /// <summary>libbpf 1.1's btf_dump_emit_enum_def (no mode(byte)/mode(word) attributes yet).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EmitEnumDefinition(int id, BtfType t, int level)
    {
        int vlen = t.Vlen;
        _out.Write("enum"u8);
        if (t.NameOffset != 0) _out.Write((byte)' ');
        WriteTypeName(id);
        if (vlen == 0) return;

        _out.Write(" {"u8);
        bool signed = t.KindFlag;
        bool is64 = t.Kind == BtfKind.Enum64;
        for (int i = 0; i < vlen; i++)
        {
            var v = t.GetEnumValue(i);
            // Enumerators share the identifier namespace with typedefs.
            int dups = _identNames.Increment(v.NameOffset);
            _out.NewLine(level + 1);
            _out.Write(_spec.GetStringUtf8(v.NameOffset));
            if (dups > 1)
            {
                _out.Write("___"u8);
                _out.WriteInt64(dups);
            }
            _out.Write(" = "u8);
            if (is64)
            {
                if (signed)
                {
                    _out.WriteInt64((long)v.RawValue);
                    _out.Write("LL,"u8);
                }
                else
                {
                    _out.WriteUInt64(v.RawValue);
                    _out.Write("ULL,"u8);
                }
            }
            else
            {
                if (signed) _out.WriteInt64((int)(uint)v.RawValue);
                else _out.WriteUInt64((uint)v.RawValue);
                _out.Write((byte)',');
            }
        }
        _out.NewLine(level);
        _out.Write((byte)'}');
    }

    private void EmitForwardDefinition(int id, BtfType t)
    {
        _out.Write(t.KindFlag ? "union "u8 : "struct "u8);
        WriteTypeName(id);
    }

    private void EmitTypedefDefinition(int id, BtfType t, int level)
    {
        var name = IdentName(id, t);
        // Old GCC emits __gnuc_va_list as a typedef of void; libbpf repairs it.
        if (t.ReferencedTypeId == 0 && name.Suffix == 0 && t.NameUtf8.SequenceEqual("__gnuc_va_list"u8))
        {
            _out.Write("typedef __builtin_va_list __gnuc_va_list"u8);
            return;
        }
        _out.Write("typedef "u8);
        EmitTypeDeclaration(t.ReferencedTypeId, name, level);
    }
}
