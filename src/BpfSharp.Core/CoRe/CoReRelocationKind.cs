namespace BpfSharp.CoRe;

/// <summary>CO-RE relocation kinds (<c>enum bpf_core_relo_kind</c>), as stored in <c>.BTF.ext</c>.</summary>
public enum CoReRelocationKind : uint
{
    /// <summary><c>BPF_CORE_FIELD_BYTE_OFFSET</c> (log tag <c>byte_off</c>).</summary>
    FieldByteOffset = 0,
    /// <summary><c>BPF_CORE_FIELD_BYTE_SIZE</c> (<c>byte_sz</c>).</summary>
    FieldByteSize = 1,
    /// <summary><c>BPF_CORE_FIELD_EXISTS</c> (<c>field_exists</c>).</summary>
    FieldExists = 2,
    /// <summary><c>BPF_CORE_FIELD_SIGNED</c> (<c>signed</c>).</summary>
    FieldSigned = 3,
    /// <summary><c>BPF_CORE_FIELD_LSHIFT_U64</c> (<c>lshift_u64</c>).</summary>
    FieldLShiftU64 = 4,
    /// <summary><c>BPF_CORE_FIELD_RSHIFT_U64</c> (<c>rshift_u64</c>).</summary>
    FieldRShiftU64 = 5,
    /// <summary><c>BPF_CORE_TYPE_ID_LOCAL</c> (<c>local_type_id</c>).</summary>
    TypeIdLocal = 6,
    /// <summary><c>BPF_CORE_TYPE_ID_TARGET</c> (<c>target_type_id</c>).</summary>
    TypeIdTarget = 7,
    /// <summary><c>BPF_CORE_TYPE_EXISTS</c> (<c>type_exists</c>).</summary>
    TypeExists = 8,
    /// <summary><c>BPF_CORE_TYPE_SIZE</c> (<c>type_size</c>).</summary>
    TypeSize = 9,
    /// <summary><c>BPF_CORE_ENUMVAL_EXISTS</c> (<c>enumval_exists</c>).</summary>
    EnumValueExists = 10,
    /// <summary><c>BPF_CORE_ENUMVAL_VALUE</c> (<c>enumval_value</c>).</summary>
    EnumValueValue = 11,
    /// <summary><c>BPF_CORE_TYPE_MATCHES</c> (<c>type_matches</c>).</summary>
    TypeMatches = 12,
}

/// <summary>
/// One <c>struct bpf_core_relo</c> record from <c>.BTF.ext</c>: 16 bytes, all offsets as stored
/// (<see cref="InstructionByteOffset"/> is a byte offset from the start of the ELF section).
/// </summary>
/// <param name="InstructionByteOffset"><c>insn_off</c>: byte offset of the instruction in its section.</param>
/// <param name="TypeId"><c>type_id</c>: the local root type in the object's <c>.BTF</c>.</param>
/// <param name="AccessStringOffset"><c>access_str_off</c>: offset of the access string in <c>.BTF</c> strings.</param>
/// <param name="Kind"><c>kind</c>.</param>
public readonly record struct CoReRelocationRecord(uint InstructionByteOffset, int TypeId, uint AccessStringOffset, CoReRelocationKind Kind);

/// <summary>Helpers over <see cref="CoReRelocationKind"/>.</summary>
public static class CoReRelocationKinds
{
    /// <summary>The tag libbpf prints in its log (<c>core_relo_kind_str</c>), or "unknown".</summary>
    public static string ToLibbpfString(this CoReRelocationKind kind) => kind switch
    {
        CoReRelocationKind.FieldByteOffset => "byte_off",
        CoReRelocationKind.FieldByteSize => "byte_sz",
        CoReRelocationKind.FieldExists => "field_exists",
        CoReRelocationKind.FieldSigned => "signed",
        CoReRelocationKind.FieldLShiftU64 => "lshift_u64",
        CoReRelocationKind.FieldRShiftU64 => "rshift_u64",
        CoReRelocationKind.TypeIdLocal => "local_type_id",
        CoReRelocationKind.TypeIdTarget => "target_type_id",
        CoReRelocationKind.TypeExists => "type_exists",
        CoReRelocationKind.TypeMatches => "type_matches",
        CoReRelocationKind.TypeSize => "type_size",
        CoReRelocationKind.EnumValueExists => "enumval_exists",
        CoReRelocationKind.EnumValueValue => "enumval_value",
        _ => "unknown",
    };

    /// <summary>Field-based kinds (0-5).</summary>
    public static bool IsFieldBased(this CoReRelocationKind kind) => kind <= CoReRelocationKind.FieldRShiftU64;
    /// <summary>Type-based kinds (6-9, 12).</summary>
    public static bool IsTypeBased(this CoReRelocationKind kind) =>
        kind is >= CoReRelocationKind.TypeIdLocal and <= CoReRelocationKind.TypeSize or CoReRelocationKind.TypeMatches;
    /// <summary>Enum-value-based kinds (10-11).</summary>
    public static bool IsEnumValueBased(this CoReRelocationKind kind) =>
        kind is CoReRelocationKind.EnumValueExists or CoReRelocationKind.EnumValueValue;
}
