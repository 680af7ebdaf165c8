namespace BpfSharp.Btf.Formatting;

/// <summary>
/// Prints BTF type records exactly as <c>bpftool btf dump file FILE format raw</c> does (bpftool 7.x):
/// one <c>[id] KIND 'name' ...</c> line per type, members/values/params/vars on tab-indented lines.
/// For split BTF only the split's own types are printed, with ids continuing the base's
/// (<c>bpftool -B BASE btf dump file FILE</c>).
/// </summary>
/// <remarks>
/// Output is UTF-8 written through a buffer straight to the stream; numbers are formatted into the buffer, names are
/// copied as the raw bytes of the string section (bpftool prints them with <c>%s</c>), so nothing is allocated per type.
/// Unlike bpftool 7.1 (16-bit vlen, 5-bit kind), the 2026 widths are used (24-bit vlen, 7-bit kind); kinds this
/// library does not know print as <c>UNKNOWN</c> with no details, as bpftool does.
/// </remarks>
public static class BtfRawFormatter
{
    /// <summary>Writes every type this BTF defines (not its base's) to <paramref name="output"/>.</summary>
    public static void Write(BtfSpec spec, Stream output)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(output);
        var o = new Utf8Output(output);
        for (int id = spec.StartId; id < spec.TypeCount; id++) WriteType(o, spec, spec[id]);
        o.Flush();
    }

    /// <summary>Writes one type (its <c>[id]</c> line and its detail lines).</summary>
    public static void WriteType(BtfType type, Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var o = new Utf8Output(output, 4096);
        WriteType(o, type.Spec, type);
        o.Flush();
    }

    /// <summary>The whole dump as a string (for small BTF; prefer <see cref="Write(BtfSpec, Stream)"/>).</summary>
    public static string Format(BtfSpec spec)
    {
        using var ms = new MemoryStream();
        Write(spec, ms);
        return System.Text.Encoding.UTF8.GetString(ms.GetBuffer(), 0, (int)ms.Length);
    }

    private static ReadOnlySpan<byte> IntEncoding(int encoding) => encoding switch
    {
        0 => "(none)"u8,
        1 => "SIGNED"u8,
        2 => "CHAR"u8,
        4 => "BOOL"u8,
        _ => "UNKN"u8,
    };

    // bpftool's btf_str: offset 0 is "(anon)"; any other offset prints its string, even an empty one.
    private static void Name(Utf8Output o, BtfSpec spec, uint nameOffset)
    {
        o.Write((byte)'\'');
        if (nameOffset == 0) o.Write("(anon)"u8);
        else if (spec.IsValidStringOffset(nameOffset)) o.Write(spec.GetStringUtf8(nameOffset));
        else o.Write("(invalid)"u8);
        o.Write((byte)'\'');
    }

    private static void WriteType(Utf8Output o, BtfSpec spec, BtfType t)
    {
        var kind = t.Kind;
        o.Write((byte)'[');
        o.Write(t.Id);
        o.Write("] "u8);
        o.Write(BpftoolNames.Kind(kind));
        o.Write((byte)' ');
        Name(o, spec, t.NameOffset);
        switch (kind)
        {
            case BtfKind.Int:
                o.Write(" size="u8); o.Write(t.Size);
                o.Write(" bits_offset="u8); o.Write(t.IntOffset);
                o.Write(" nr_bits="u8); o.Write(t.IntBits);
                o.Write(" encoding="u8); o.Write(IntEncoding((int)t.IntEncoding));
                break;
            case BtfKind.Pointer or BtfKind.Const or BtfKind.Volatile or BtfKind.Restrict or BtfKind.Typedef or BtfKind.TypeTag:
                o.Write(" type_id="u8); o.Write(t.SizeOrType);
                break;
            case BtfKind.Array:
                o.Write(" type_id="u8); o.Write((uint)t.ArrayElementType);
                o.Write(" index_type_id="u8); o.Write((uint)t.ArrayIndexType);
                o.Write(" nr_elems="u8); o.Write(t.ArrayLength);
                break;
            case BtfKind.Struct or BtfKind.Union:
            {
                int vlen = t.Vlen;
                o.Write(" size="u8); o.Write(t.Size);
                o.Write(" vlen="u8); o.Write(vlen);
                for (int i = 0; i < vlen; i++)
                {
                    var m = t.GetMember(i);
                    o.Write("\n\t"u8);
                    Name(o, spec, m.NameOffset);
                    o.Write(" type_id="u8); o.Write((uint)m.TypeId);
                    o.Write(" bits_offset="u8); o.Write(m.BitOffset);
                    uint bits = m.BitfieldSize;
                    if (bits != 0) { o.Write(" bitfield_size="u8); o.Write(bits); }
                }
                break;
            }
            case BtfKind.Enum or BtfKind.Enum64:
            {
                int vlen = t.Vlen;
                bool signed = t.KindFlag;
                o.Write(signed ? " encoding=SIGNED size="u8 : " encoding=UNSIGNED size="u8);
                o.Write(t.Size);
                o.Write(" vlen="u8); o.Write(vlen);
                for (int i = 0; i < vlen; i++)
                {
                    var v = t.GetEnumValue(i);
                    o.Write("\n\t"u8);
                    Name(o, spec, v.NameOffset);
                    o.Write(" val="u8);
                    if (kind == BtfKind.Enum)
                    {
                        if (signed) o.Write((int)(uint)v.RawValue); else o.Write((uint)v.RawValue);
                    }
                    else if (signed) { o.Write((long)v.RawValue); o.Write("LL"u8); }
                    else { o.Write(v.RawValue); o.Write("ULL"u8); }
                }
                break;
            }
            case BtfKind.Forward:
                o.Write(t.KindFlag ? " fwd_kind=union"u8 : " fwd_kind=struct"u8);
                break;
            case BtfKind.Func:
                o.Write(" type_id="u8); o.Write(t.SizeOrType);
                o.Write(" linkage="u8); o.Write(BpftoolNames.Linkage((uint)t.Vlen));
                break;
            case BtfKind.FuncProto:
            {
                int vlen = t.Vlen;
                o.Write(" ret_type_id="u8); o.Write(t.SizeOrType);
                o.Write(" vlen="u8); o.Write(vlen);
                for (int i = 0; i < vlen; i++)
                {
                    var p = t.GetParam(i);
                    o.Write("\n\t"u8);
                    Name(o, spec, p.NameOffset);
                    o.Write(" type_id="u8); o.Write((uint)p.TypeId);
                }
                break;
            }
            case BtfKind.Var:
                o.Write(" type_id="u8); o.Write(t.SizeOrType);
                o.Write(", linkage="u8); o.Write(BpftoolNames.Linkage((uint)t.Linkage));
                break;
            case BtfKind.DataSec:
            {
                int vlen = t.Vlen;
                o.Write(" size="u8); o.Write(t.Size);
                o.Write(" vlen="u8); o.Write(vlen);
                for (int i = 0; i < vlen; i++)
                {
                    var v = t.GetDataSecVar(i);
                    o.Write("\n\ttype_id="u8); o.Write((uint)v.TypeId);
                    o.Write(" offset="u8); o.Write(v.Offset);
                    o.Write(" size="u8); o.Write(v.Size);
                    if (spec.IsValidTypeId(v.TypeId))
                    {
                        var vt = spec[v.TypeId];
                        o.Write(" ("u8);
                        o.Write(BpftoolNames.Kind(vt.Kind));
                        o.Write((byte)' ');
                        Name(o, vt.Spec, vt.NameOffset);
                        o.Write((byte)')');
                    }
                }
                break;
            }
            case BtfKind.Float:
                o.Write(" size="u8); o.Write(t.Size);
                break;
            case BtfKind.DeclTag:
                o.Write(" type_id="u8); o.Write(t.SizeOrType);
                o.Write(" component_idx="u8); o.Write(t.DeclTagComponentIndex);
                break;
        }
        o.Write((byte)'\n');
    }
}
