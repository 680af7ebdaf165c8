namespace BpfSharp.Btf.Formatting;

/// <summary>The UTF-8 words bpftool prints for kinds and linkages, shared by the raw and JSON dumps.</summary>
internal static class BpftoolNames
{
    /// <summary>bpftool's kind name (<c>btf_kind_str</c>): INT, PTR, FUNC_PROTO, ...; UNKNOWN for anything else.</summary>
    public static ReadOnlySpan<byte> Kind(BtfKind kind) => kind switch
    {
        BtfKind.Int => "INT"u8,
        BtfKind.Pointer => "PTR"u8,
        BtfKind.Array => "ARRAY"u8,
        BtfKind.Struct => "STRUCT"u8,
        BtfKind.Union => "UNION"u8,
        BtfKind.Enum => "ENUM"u8,
        BtfKind.Forward => "FWD"u8,
        BtfKind.Typedef => "TYPEDEF"u8,
        BtfKind.Volatile => "VOLATILE"u8,
        BtfKind.Const => "CONST"u8,
        BtfKind.Restrict => "RESTRICT"u8,
        BtfKind.Func => "FUNC"u8,
        BtfKind.FuncProto => "FUNC_PROTO"u8,
        BtfKind.Var => "VAR"u8,
        BtfKind.DataSec => "DATASEC"u8,
        BtfKind.Float => "FLOAT"u8,
        BtfKind.DeclTag => "DECL_TAG"u8,
        BtfKind.TypeTag => "TYPE_TAG"u8,
        BtfKind.Enum64 => "ENUM64"u8,
        _ => "UNKNOWN"u8,
    };

    /// <summary>bpftool's linkage word for a FUNC (<c>vlen</c>) or VAR linkage value.</summary>
    public static ReadOnlySpan<byte> Linkage(uint linkage) => linkage switch
    {
        0 => "static"u8,
        1 => "global"u8,
        2 => "extern"u8,
        _ => "(unknown)"u8,
    };
}
