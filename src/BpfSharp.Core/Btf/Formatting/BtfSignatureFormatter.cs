using System.Text;

namespace BpfSharp.Btf.Formatting;

/// <summary>
/// Prints a type the short way bpftool labels functions in program dumps (<c>btf_dumper_type_only</c>):
/// <c>int xdp_prog(struct xdp_md * ctx)</c>. Pointers print as <c>T * </c>, arrays as <c>T [N]</c>, and names of
/// structs, unions and enums come with their keyword.
/// </summary>
public static class BtfSignatureFormatter
{
    /// <summary>bpftool's buffer size: a longer signature is not printed.</summary>
    private const int MaxLength = 1023;

    /// <summary>The signature of <paramref name="typeId"/>, or an empty string when bpftool prints none for it.</summary>
    public static string Format(BtfSpec spec, int typeId)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var text = new StringBuilder();
        try
        {
            return Type(spec, typeId, text, 0) && text.Length <= MaxLength ? text.ToString() : "";
        }
        catch (BpfFormatException)
        {
            return "";
        }
    }

    private static bool Type(BtfSpec spec, int typeId, StringBuilder s, int depth)
    {
        if (depth > BtfSpec.MaxResolveDepth || s.Length > MaxLength) return false;
        if (typeId == 0)
        {
            s.Append("void ");
            return true;
        }
        var t = spec[typeId];
        switch (t.Kind)
        {
            case BtfKind.Int or BtfKind.Typedef or BtfKind.Float:
                s.Append(t.Name).Append(' ');
                return true;
            case BtfKind.Struct:
                s.Append("struct ").Append(t.Name).Append(' ');
                return true;
            case BtfKind.Union:
                s.Append("union ").Append(t.Name).Append(' ');
                return true;
            case BtfKind.Enum or BtfKind.Enum64:
                s.Append("enum ").Append(t.Name).Append(' ');
                return true;
            case BtfKind.Array:
                if (!Type(spec, t.ArrayElementType, s, depth + 1)) return false;
                s.Append('[').Append((int)t.ArrayLength).Append(']');
                return true;
            case BtfKind.Pointer:
                if (!Type(spec, t.ReferencedTypeId, s, depth + 1)) return false;
                s.Append("* ");
                return true;
            case BtfKind.Forward:
                s.Append(t.KindFlag ? "union " : "struct ").Append(t.Name).Append(' ');
                return true;
            case BtfKind.Volatile:
                s.Append("volatile ");
                return Type(spec, t.ReferencedTypeId, s, depth + 1);
            case BtfKind.Const:
                s.Append("const ");
                return Type(spec, t.ReferencedTypeId, s, depth + 1);
            case BtfKind.Restrict:
                s.Append("restrict ");
                return Type(spec, t.ReferencedTypeId, s, depth + 1);
            case BtfKind.FuncProto:
                return Function(spec, t, null, s, depth);
            case BtfKind.Func:
                return Function(spec, spec[t.ReferencedTypeId], t, s, depth);
            case BtfKind.Var:
                if (t.Linkage == BtfLinkage.Static) s.Append("static ");
                if (!Type(spec, t.ReferencedTypeId, s, depth + 1)) return false;
                s.Append(' ').Append(t.Name);
                return true;
            case BtfKind.DataSec:
                s.Append("section (\"").Append(t.Name).Append("\") ");
                return true;
            default:
                return false;
        }
    }

    private static bool Function(BtfSpec spec, BtfType proto, BtfType? func, StringBuilder s, int depth)
    {
        if (proto.Kind != BtfKind.FuncProto) return false;
        if (!Type(spec, proto.ReferencedTypeId, s, depth + 1)) return false;
        s.Append(func is { } f ? f.Name : "").Append('(');
        for (var i = 0; i < proto.Vlen; i++)
        {
            if (i > 0) s.Append(", ");
            var param = proto.GetParam(i);
            if (param.TypeId == 0)
            {
                s.Append("...");
                continue;
            }
            if (!Type(spec, param.TypeId, s, depth + 1)) return false;
            if (param.NameOffset != 0) s.Append(param.Name);
            // An unnamed parameter drops the space its type left behind.
            else if (s.Length > 0 && s[^1] == ' ') s.Length--;
        }
        s.Append(')');
        return true;
    }
}
