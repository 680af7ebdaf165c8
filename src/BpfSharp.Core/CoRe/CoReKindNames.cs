using BpfSharp.Btf;

namespace BpfSharp.CoRe;

/// <summary>libbpf's <c>btf_kind_str</c> names (lowercase), used in CO-RE log lines and spec formatting.</summary>
public static class CoReKindNames
{
    /// <summary>The kind as libbpf's <c>btf_kind_str</c> prints it: <c>struct</c>, <c>func_proto</c>, <c>enum64</c>, ...</summary>
    public static string ToLibbpfString(this BtfKind kind) => kind switch
    {
        BtfKind.Unknown => "void",
        BtfKind.Int => "int",
        BtfKind.Pointer => "ptr",
        BtfKind.Array => "array",
        BtfKind.Struct => "struct",
        BtfKind.Union => "union",
        BtfKind.Enum => "enum",
        BtfKind.Forward => "fwd",
        BtfKind.Typedef => "typedef",
        BtfKind.Volatile => "volatile",
        BtfKind.Const => "const",
        BtfKind.Restrict => "restrict",
        BtfKind.Func => "func",
        BtfKind.FuncProto => "func_proto",
        BtfKind.Var => "var",
        BtfKind.DataSec => "datasec",
        BtfKind.Float => "float",
        BtfKind.DeclTag => "decl_tag",
        BtfKind.TypeTag => "type_tag",
        BtfKind.Enum64 => "enum64",
        _ => "unknown",
    };
}
