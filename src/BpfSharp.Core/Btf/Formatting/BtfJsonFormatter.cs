using System.Text.Encodings.Web;
using System.Text.Json;

namespace BpfSharp.Btf.Formatting;

/// <summary>
/// Writes BTF as JSON: <c>{"header": {...}, "types": [...]}</c>. Each element of <c>types</c> has the fields
/// <c>bpftool -j btf dump file FILE</c> prints for that kind (same names, same values, <c>"(anon)"</c> for
/// anonymous names), so scripts written for bpftool's JSON read it unchanged. The format is described in
/// docs/btf-json.md. Written with <see cref="Utf8JsonWriter"/>: no reflection, AOT-friendly, streaming.
/// </summary>
public static class BtfJsonFormatter
{
    private const int FlushThreshold = 1 << 16;

    /// <summary>Writes the header and every type this BTF defines (not its base's).</summary>
    /// <param name="spec">The BTF.</param>
    /// <param name="output">Receives UTF-8 JSON.</param>
    /// <param name="indented">Pretty-print (bpftool's <c>-p</c>).</param>
    public static void Write(BtfSpec spec, Stream output, bool indented = false) => Write(spec, output, indented, null);

    /// <summary>
    /// Writes the header and only the given types, in the given order (bpftool's <c>btf dump map M key|value|kv</c>):
    /// each root's own record, not the types it refers to.
    /// </summary>
    /// <param name="spec">The BTF.</param>
    /// <param name="output">Receives UTF-8 JSON.</param>
    /// <param name="indented">Pretty-print (bpftool's <c>-p</c>).</param>
    /// <param name="rootTypeIds">Type ids to write; each must be below <see cref="BtfSpec.TypeCount"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A root id is negative or not below the type count.</exception>
    public static void Write(BtfSpec spec, Stream output, bool indented, ReadOnlySpan<int> rootTypeIds)
    {
        ArgumentNullException.ThrowIfNull(spec);
        foreach (int id in rootTypeIds)
            if ((uint)id >= (uint)spec.TypeCount)
                throw new ArgumentOutOfRangeException(nameof(rootTypeIds), id, $"type id {id} is not below the type count {spec.TypeCount}");
        Write(spec, output, indented, rootTypeIds.ToArray());
    }

    private static void Write(BtfSpec spec, Stream output, bool indented, int[]? rootTypeIds)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(output);
        var options = new JsonWriterOptions
        {
            Indented = indented,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            SkipValidation = true,
        };
        using var w = new Utf8JsonWriter(output, options);
        w.WriteStartObject();
        WriteHeader(w, spec);
        w.WritePropertyName("types"u8);
        w.WriteStartArray();
        if (rootTypeIds is not null)
        {
            foreach (int id in rootTypeIds) WriteType(w, spec[id]);
        }
        else
        {
            for (int id = spec.StartId; id < spec.TypeCount; id++)
            {
                WriteType(w, spec[id]);
                if (w.BytesPending > FlushThreshold) w.Flush();
            }
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        if (indented) output.Write("\n"u8);
    }

    /// <summary>The JSON as a string (for small BTF).</summary>
    public static string Format(BtfSpec spec, bool indented = false)
    {
        using var ms = new MemoryStream();
        Write(spec, ms, indented);
        return System.Text.Encoding.UTF8.GetString(ms.GetBuffer(), 0, (int)ms.Length);
    }

    private static void WriteHeader(Utf8JsonWriter w, BtfSpec spec)
    {
        var h = spec.Header;
        w.WriteStartObject("header"u8);
        w.WriteNumber("magic"u8, h.Magic);
        w.WriteNumber("version"u8, h.Version);
        w.WriteNumber("flags"u8, h.Flags);
        w.WriteNumber("hdr_len"u8, h.HeaderLength);
        w.WriteNumber("type_off"u8, h.TypeOffset);
        w.WriteNumber("type_len"u8, h.TypeLength);
        w.WriteNumber("str_off"u8, h.StringOffset);
        w.WriteNumber("str_len"u8, h.StringLength);
        w.WriteNumber("layout_off"u8, h.LayoutOffset);
        w.WriteNumber("layout_len"u8, h.LayoutLength);
        w.WriteString("endianness"u8, spec.IsBigEndian ? "big"u8 : "little"u8);
        w.WriteBoolean("split"u8, spec.Base is not null);
        w.WriteNumber("start_id"u8, spec.StartId);
        w.WriteNumber("type_count"u8, spec.OwnTypeCount);
        w.WriteNumber("start_str_off"u8, spec.StartStringOffset);
        if (spec.Layout.Length > 0)
        {
            w.WriteStartArray("layout"u8);
            foreach (var l in spec.Layout)
            {
                w.WriteStartObject();
                w.WriteNumber("info_sz"u8, l.InfoSize);
                w.WriteNumber("elem_sz"u8, l.ElementSize);
                w.WriteNumber("flags"u8, l.Flags);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static void Name(Utf8JsonWriter w, ReadOnlySpan<byte> property, BtfSpec spec, uint nameOffset)
    {
        if (nameOffset == 0) { w.WriteString(property, "(anon)"u8); return; }
        if (!spec.IsValidStringOffset(nameOffset)) { w.WriteString(property, "(invalid)"u8); return; }
        var name = spec.GetStringUtf8(nameOffset);
        if (System.Text.Unicode.Utf8.IsValid(name)) w.WriteString(property, name);
        else w.WriteString(property, System.Text.Encoding.UTF8.GetString(name)); // U+FFFD for bad bytes, rare
    }

    private static void WriteType(Utf8JsonWriter w, BtfType t)
    {
        var spec = t.Spec;
        var kind = t.Kind;
        w.WriteStartObject();
        w.WriteNumber("id"u8, t.Id);
        w.WriteString("kind"u8, BpftoolNames.Kind(kind));
        Name(w, "name"u8, spec, t.NameOffset);
        switch (kind)
        {
            case BtfKind.Int:
                w.WriteNumber("size"u8, t.Size);
                w.WriteNumber("bits_offset"u8, t.IntOffset);
                w.WriteNumber("nr_bits"u8, t.IntBits);
                w.WriteString("encoding"u8, (int)t.IntEncoding switch
                {
                    0 => "(none)"u8,
                    1 => "SIGNED"u8,
                    2 => "CHAR"u8,
                    4 => "BOOL"u8,
                    _ => "UNKN"u8,
                });
                break;
            case BtfKind.Pointer or BtfKind.Const or BtfKind.Volatile or BtfKind.Restrict or BtfKind.Typedef or BtfKind.TypeTag:
                w.WriteNumber("type_id"u8, t.SizeOrType);
                break;
            case BtfKind.Array:
                w.WriteNumber("type_id"u8, (uint)t.ArrayElementType);
                w.WriteNumber("index_type_id"u8, (uint)t.ArrayIndexType);
                w.WriteNumber("nr_elems"u8, t.ArrayLength);
                break;
            case BtfKind.Struct or BtfKind.Union:
            {
                int vlen = t.Vlen;
                w.WriteNumber("size"u8, t.Size);
                w.WriteNumber("vlen"u8, vlen);
                w.WriteStartArray("members"u8);
                for (int i = 0; i < vlen; i++)
                {
                    var m = t.GetMember(i);
                    w.WriteStartObject();
                    Name(w, "name"u8, spec, m.NameOffset);
                    w.WriteNumber("type_id"u8, (uint)m.TypeId);
                    w.WriteNumber("bits_offset"u8, m.BitOffset);
                    if (m.BitfieldSize != 0) w.WriteNumber("bitfield_size"u8, m.BitfieldSize);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                break;
            }
            case BtfKind.Enum or BtfKind.Enum64:
            {
                int vlen = t.Vlen;
                bool signed = t.KindFlag;
                w.WriteString("encoding"u8, signed ? "SIGNED"u8 : "UNSIGNED"u8);
                w.WriteNumber("size"u8, t.Size);
                w.WriteNumber("vlen"u8, vlen);
                w.WriteStartArray("values"u8);
                for (int i = 0; i < vlen; i++)
                {
                    var v = t.GetEnumValue(i);
                    w.WriteStartObject();
                    Name(w, "name"u8, spec, v.NameOffset);
                    if (kind == BtfKind.Enum)
                    {
                        if (signed) w.WriteNumber("val"u8, (int)(uint)v.RawValue);
                        else w.WriteNumber("val"u8, (uint)v.RawValue);
                    }
                    else if (signed) w.WriteNumber("val"u8, (long)v.RawValue);
                    else w.WriteNumber("val"u8, v.RawValue);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                break;
            }
            case BtfKind.Forward:
                w.WriteString("fwd_kind"u8, t.KindFlag ? "union"u8 : "struct"u8);
                break;
            case BtfKind.Func:
                w.WriteNumber("type_id"u8, t.SizeOrType);
                w.WriteString("linkage"u8, BpftoolNames.Linkage((uint)t.Vlen));
                break;
            case BtfKind.FuncProto:
            {
                int vlen = t.Vlen;
                w.WriteNumber("ret_type_id"u8, t.SizeOrType);
                w.WriteNumber("vlen"u8, vlen);
                w.WriteStartArray("params"u8);
                for (int i = 0; i < vlen; i++)
                {
                    var p = t.GetParam(i);
                    w.WriteStartObject();
                    Name(w, "name"u8, spec, p.NameOffset);
                    w.WriteNumber("type_id"u8, (uint)p.TypeId);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                break;
            }
            case BtfKind.Var:
                w.WriteNumber("type_id"u8, t.SizeOrType);
                w.WriteString("linkage"u8, BpftoolNames.Linkage((uint)t.Linkage));
                break;
            case BtfKind.DataSec:
            {
                int vlen = t.Vlen;
                w.WriteNumber("size"u8, t.Size);
                w.WriteNumber("vlen"u8, vlen);
                w.WriteStartArray("vars"u8);
                for (int i = 0; i < vlen; i++)
                {
                    var v = t.GetDataSecVar(i);
                    w.WriteStartObject();
                    w.WriteNumber("type_id"u8, (uint)v.TypeId);
                    w.WriteNumber("offset"u8, v.Offset);
                    w.WriteNumber("size"u8, v.Size);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                break;
            }
            case BtfKind.Float:
                w.WriteNumber("size"u8, t.Size);
                break;
            case BtfKind.DeclTag:
                w.WriteNumber("type_id"u8, t.SizeOrType);
                w.WriteNumber("component_idx"u8, t.DeclTagComponentIndex);
                break;
        }
        w.WriteEndObject();
    }
}
