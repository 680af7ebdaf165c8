namespace BpfSharp.Btf;

public sealed partial class BtfSpec
{
    private static readonly string[] LongNames =
    [
        "long", "long int", "int long", "unsigned long", "long unsigned", "unsigned long int",
        "unsigned int long", "long unsigned int", "long int unsigned", "int unsigned long", "int long unsigned",
    ];

    /// <summary>
    /// libbpf's <c>btf__pointer_size</c>: the size of the first INT named like <c>long</c> of size 4 or 8
    /// (split BTF asks its base first); 8 when there is none.
    /// </summary>
    public int PointerSize
    {
        get
        {
            int p = _pointerSize;
            if (p == 0)
            {
                p = DeterminePointerSize() ?? 8;
                _pointerSize = p;
            }
            return p;
        }
    }

    /// <summary>The pointer size as BTF itself determines it, or null if no <c>long</c> INT says.</summary>
    public int? DeterminePointerSize()
    {
        if (Base?.DeterminePointerSize() is int fromBase) return fromBase;
        for (int id = StartId; id < TypeCount; id++)
        {
            var t = GetType(id);
            if (t.Kind != BtfKind.Int) continue;
            uint size = t.Size;
            if (size != 4 && size != 8) continue;
            var name = t.NameUtf8;
            foreach (var n in LongNames)
                if (System.Text.Ascii.Equals(name, n)) return (int)size;
        }
        return null;
    }

    /// <summary>
    /// libbpf's <c>skip_mods_and_typedefs</c>: follows CONST/VOLATILE/RESTRICT/TYPE_TAG and TYPEDEF.
    /// Bounded by <see cref="MaxResolveDepth"/>; a longer (or cyclic) chain throws.
    /// </summary>
    public BtfType SkipModifiersAndTypedefs(int typeId)
    {
        var t = GetType(typeId);
        for (int depth = 0; ; depth++)
        {
            var k = t.Kind;
            if (!k.IsModifier() && k != BtfKind.Typedef) return t;
            if (depth >= MaxResolveDepth) ThrowTooDeep(typeId);
            t = GetType(t.ReferencedTypeId);
        }
    }

    /// <summary>Follows only modifiers (CONST/VOLATILE/RESTRICT/TYPE_TAG), not typedefs. Bounded.</summary>
    public BtfType SkipModifiers(int typeId)
    {
        var t = GetType(typeId);
        for (int depth = 0; t.Kind.IsModifier(); depth++)
        {
            if (depth >= MaxResolveDepth) ThrowTooDeep(typeId);
            t = GetType(t.ReferencedTypeId);
        }
        return t;
    }

    private void ThrowTooDeep(int typeId) =>
        throw new BpfFormatException(BpfFormatError.BtfTypeChainTooDeep, BpfFormat.Btf,
            $"type chain from [{typeId}] is longer than {MaxResolveDepth} (cyclic?)", "types", -1, Source);

    /// <summary>
    /// libbpf's <c>btf__resolve_size</c>: size in bytes of a type, following typedefs, modifiers, VAR and DECL_TAG and
    /// multiplying array lengths. Returns false (libbpf: -EINVAL/-E2BIG) for void, FWD, FUNC, FUNC_PROTO,
    /// chains deeper than 32, or sizes over <see cref="uint.MaxValue"/>.
    /// </summary>
    public bool TryResolveSize(int typeId, out long size)
    {
        long nelems = 1;
        var t = GetType(typeId);
        for (int depth = 0; depth < MaxResolveDepth && !t.IsVoid; depth++)
        {
            switch (t.Kind)
            {
                case BtfKind.Int or BtfKind.Struct or BtfKind.Union or BtfKind.Enum or BtfKind.Enum64
                    or BtfKind.DataSec or BtfKind.Float:
                    // nelems and the size are both below 2^32: multiply in 64 unsigned bits, where it cannot wrap.
                    ulong total = (ulong)nelems * t.Size;
                    size = total <= uint.MaxValue ? (long)total : 0;
                    return total <= uint.MaxValue;
                case BtfKind.Pointer:
                    size = nelems * PointerSize;
                    return size <= uint.MaxValue;
                case BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict or BtfKind.Var
                    or BtfKind.DeclTag or BtfKind.TypeTag:
                    t = GetType(t.ReferencedTypeId);
                    break;
                case BtfKind.Array:
                    uint n = t.ArrayLength;
                    if (nelems != 0 && n > uint.MaxValue / nelems) { size = 0; return false; }
                    nelems *= n;
                    t = GetType(t.ArrayElementType);
                    break;
                default:
                    size = 0;
                    return false;
            }
        }
        size = 0;
        return false;
    }

    /// <summary>Like <see cref="TryResolveSize"/>, throwing when the size cannot be resolved.</summary>
    public long ResolveSize(int typeId) =>
        TryResolveSize(typeId, out long size) ? size
            : throw new BpfFormatException(BpfFormatError.BtfInvalidType, BpfFormat.Btf,
                $"cannot resolve the size of [{typeId}]", "types", -1, Source);

    /// <summary>
    /// libbpf's <c>bpf_core_essential_name_len</c>: the length of a name without its <c>___flavor</c> suffix.
    /// The last <c>X___Y</c> (X, Y not underscores) separator counts.
    /// </summary>
    public static int EssentialNameLength(ReadOnlySpan<byte> name)
    {
        for (int i = name.Length - 5; i >= 0; i--)
        {
            if (name[i] != (byte)'_' && name[i + 1] == (byte)'_' && name[i + 2] == (byte)'_'
                && name[i + 3] == (byte)'_' && name[i + 4] != (byte)'_')
                return i + 1;
        }
        return name.Length;
    }

    /// <summary>The essential name (without <c>___flavor</c>) of a string.</summary>
    public static string EssentialName(string name)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(name);
        return System.Text.Encoding.UTF8.GetString(bytes, 0, EssentialNameLength(bytes));
    }
}
