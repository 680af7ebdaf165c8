namespace BpfSharp.Btf;

/// <summary>BTF type kinds (<c>BTF_KIND_*</c>).</summary>
public enum BtfKind : byte
{
    /// <summary><c>BTF_KIND_UNKN</c>: void (type id 0).</summary>
    Unknown = 0,
    /// <summary><c>BTF_KIND_INT</c>.</summary>
    Int = 1,
    /// <summary><c>BTF_KIND_PTR</c>.</summary>
    Pointer = 2,
    /// <summary><c>BTF_KIND_ARRAY</c>.</summary>
    Array = 3,
    /// <summary><c>BTF_KIND_STRUCT</c>.</summary>
    Struct = 4,
    /// <summary><c>BTF_KIND_UNION</c>.</summary>
    Union = 5,
    /// <summary><c>BTF_KIND_ENUM</c> (32-bit values).</summary>
    Enum = 6,
    /// <summary><c>BTF_KIND_FWD</c>.</summary>
    Forward = 7,
    /// <summary><c>BTF_KIND_TYPEDEF</c>.</summary>
    Typedef = 8,
    /// <summary><c>BTF_KIND_VOLATILE</c>.</summary>
    Volatile = 9,
    /// <summary><c>BTF_KIND_CONST</c>.</summary>
    Const = 10,
    /// <summary><c>BTF_KIND_RESTRICT</c>.</summary>
    Restrict = 11,
    /// <summary><c>BTF_KIND_FUNC</c>.</summary>
    Func = 12,
    /// <summary><c>BTF_KIND_FUNC_PROTO</c>.</summary>
    FuncProto = 13,
    /// <summary><c>BTF_KIND_VAR</c>.</summary>
    Var = 14,
    /// <summary><c>BTF_KIND_DATASEC</c>.</summary>
    DataSec = 15,
    /// <summary><c>BTF_KIND_FLOAT</c>.</summary>
    Float = 16,
    /// <summary><c>BTF_KIND_DECL_TAG</c>.</summary>
    DeclTag = 17,
    /// <summary><c>BTF_KIND_TYPE_TAG</c>.</summary>
    TypeTag = 18,
    /// <summary><c>BTF_KIND_ENUM64</c>.</summary>
    Enum64 = 19,
}

/// <summary>Bits of an INT type's encoding (<c>BTF_INT_*</c>).</summary>
[Flags]
public enum BtfIntEncoding : byte
{
    /// <summary>Unsigned, not char, not bool.</summary>
    None = 0,
    /// <summary><c>BTF_INT_SIGNED</c>.</summary>
    Signed = 1,
    /// <summary><c>BTF_INT_CHAR</c>.</summary>
    Char = 2,
    /// <summary><c>BTF_INT_BOOL</c>.</summary>
    Bool = 4,
}

/// <summary>Linkage of a FUNC (its vlen) or VAR (<c>BTF_FUNC_*</c>, <c>BTF_VAR_*</c>).</summary>
public enum BtfLinkage : uint
{
    /// <summary><c>BTF_FUNC_STATIC</c> / <c>BTF_VAR_STATIC</c>.</summary>
    Static = 0,
    /// <summary><c>BTF_FUNC_GLOBAL</c> / <c>BTF_VAR_GLOBAL_ALLOCATED</c>.</summary>
    Global = 1,
    /// <summary><c>BTF_FUNC_EXTERN</c> / <c>BTF_VAR_GLOBAL_EXTERN</c>.</summary>
    Extern = 2,
}

/// <summary>Helpers over <see cref="BtfKind"/>.</summary>
public static class BtfKinds
{
    /// <summary>The highest kind this library knows.</summary>
    public const BtfKind MaxKnown = BtfKind.Enum64;

    /// <summary>libbpf's <c>btf_is_mod</c>: VOLATILE, CONST, RESTRICT, TYPE_TAG.</summary>
    public static bool IsModifier(this BtfKind kind) =>
        kind is BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict or BtfKind.TypeTag;

    /// <summary>STRUCT or UNION.</summary>
    public static bool IsComposite(this BtfKind kind) => kind is BtfKind.Struct or BtfKind.Union;

    /// <summary>ENUM or ENUM64.</summary>
    public static bool IsAnyEnum(this BtfKind kind) => kind is BtfKind.Enum or BtfKind.Enum64;

    /// <summary>Kinds whose third header word is a type id rather than a size.</summary>
    public static bool HasTypeReference(this BtfKind kind) => kind is BtfKind.Pointer or BtfKind.Typedef
        or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict or BtfKind.Func or BtfKind.FuncProto
        or BtfKind.Var or BtfKind.DeclTag or BtfKind.TypeTag;

    /// <summary>The kind's name as bpftool prints it (<c>STRUCT</c>, <c>FUNC_PROTO</c>, ...).</summary>
    public static string ToBpftoolName(this BtfKind kind) => kind switch
    {
        BtfKind.Unknown => "UNKNOWN",
        BtfKind.Int => "INT",
        BtfKind.Pointer => "PTR",
        BtfKind.Array => "ARRAY",
        BtfKind.Struct => "STRUCT",
        BtfKind.Union => "UNION",
        BtfKind.Enum => "ENUM",
        BtfKind.Forward => "FWD",
        BtfKind.Typedef => "TYPEDEF",
        BtfKind.Volatile => "VOLATILE",
        BtfKind.Const => "CONST",
        BtfKind.Restrict => "RESTRICT",
        BtfKind.Func => "FUNC",
        BtfKind.FuncProto => "FUNC_PROTO",
        BtfKind.Var => "VAR",
        BtfKind.DataSec => "DATASEC",
        BtfKind.Float => "FLOAT",
        BtfKind.DeclTag => "DECL_TAG",
        BtfKind.TypeTag => "TYPE_TAG",
        BtfKind.Enum64 => "ENUM64",
        _ => "UNKNOWN",
    };

    /// <summary>Size of the kind-specific data after the 12-byte header, given vlen; -1 for an unknown kind.</summary>
    public static int TrailerSize(BtfKind kind, int vlen) => kind switch
    {
        BtfKind.Int => 4,
        BtfKind.Array => 12,
        BtfKind.Struct or BtfKind.Union => 12 * vlen,
        BtfKind.Enum => 8 * vlen,
        BtfKind.FuncProto => 8 * vlen,
        BtfKind.Var => 4,
        BtfKind.DataSec => 12 * vlen,
        BtfKind.DeclTag => 4,
        BtfKind.Enum64 => 12 * vlen,
        BtfKind.Pointer or BtfKind.Forward or BtfKind.Typedef or BtfKind.Volatile
            or BtfKind.Const or BtfKind.Restrict or BtfKind.Func or BtfKind.Float or BtfKind.TypeTag => 0,
        _ => -1,
    };
}
