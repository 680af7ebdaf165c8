namespace BpfSharp.Kernel;

/// <summary>
/// CO-RE intrinsics: the C# counterparts of libbpf's <c>bpf_core_read.h</c>. Each call becomes one instruction
/// carrying a CO-RE relocation that libbpf (or the BpfSharp loader) fixes for the running kernel. Field
/// arguments are fields of a <see cref="RelocatableAttribute">[Relocatable]</see> type reached through a
/// pointer, passed by reference: <c>Core.FieldExists(in task->loginuid)</c>. Nothing is read by the
/// field-information intrinsics; the reference only names the field.
/// </summary>
public static unsafe class Core
{
    /// <summary><c>bpf_core_field_exists</c>: whether the running kernel has the field (FIELD_EXISTS).</summary>
    public static bool FieldExists<T>(in T field) => throw new BpfOnlyException();

    /// <summary><c>bpf_core_field_offset</c>: the field's byte offset from the pointer (FIELD_BYTE_OFFSET).</summary>
    public static uint FieldOffset<T>(in T field) => throw new BpfOnlyException();

    /// <summary><c>bpf_core_field_size</c>: the field's size in the running kernel (FIELD_BYTE_SIZE).</summary>
    public static uint FieldSize<T>(in T field) => throw new BpfOnlyException();

    /// <summary>Whether the field is a signed integer in the running kernel (FIELD_SIGNED).</summary>
    public static bool FieldSigned<T>(in T field) => throw new BpfOnlyException();

    /// <summary>Left shift that puts a bitfield's top bit at bit 63 of a u64 (FIELD_LSHIFT_U64).</summary>
    public static uint FieldLShift<T>(in T field) => throw new BpfOnlyException();

    /// <summary>Right shift that brings a left-shifted bitfield down to bit 0 (FIELD_RSHIFT_U64).</summary>
    public static uint FieldRShift<T>(in T field) => throw new BpfOnlyException();

    /// <summary><c>BPF_CORE_READ_BITFIELD_PROBED</c>: reads a bitfield (or any integer field) with a probe-read of
    /// its relocated storage unit and the relocated shifts.</summary>
    public static ulong ReadBitfield<T>(in T field) => throw new BpfOnlyException();

    /// <summary><c>bpf_core_type_exists</c> (TYPE_EXISTS).</summary>
    public static bool TypeExists<T>() => throw new BpfOnlyException();

    /// <summary><c>bpf_core_type_size</c>: the type's size in the running kernel (TYPE_SIZE).</summary>
    public static uint TypeSize<T>() => throw new BpfOnlyException();

    /// <summary><c>bpf_core_type_matches</c> (TYPE_MATCHES).</summary>
    public static bool TypeMatches<T>() => throw new BpfOnlyException();

    /// <summary><c>bpf_core_type_id_local</c>: the type's id in this program's BTF (TYPE_ID_LOCAL).</summary>
    public static uint TypeIdLocal<T>() => throw new BpfOnlyException();

    /// <summary><c>bpf_core_type_id_kernel</c>: the type's id in the kernel's BTF (TYPE_ID_TARGET).</summary>
    public static uint TypeIdTarget<T>() => throw new BpfOnlyException();

    /// <summary><c>bpf_core_enum_value_exists</c>: whether the running kernel's enum has this enumerator (ENUMVAL_EXISTS).</summary>
    public static bool EnumValueExists<TEnum>(TEnum value) where TEnum : struct, Enum => throw new BpfOnlyException();

    /// <summary><c>bpf_core_enum_value</c>: the enumerator's value in the running kernel (ENUMVAL_VALUE).</summary>
    public static long EnumValue<TEnum>(TEnum value) where TEnum : struct, Enum => throw new BpfOnlyException();

    /// <summary><c>BPF_CORE_READ</c> / <c>bpf_core_read</c>: reads a field with <c>bpf_probe_read_kernel</c> at its
    /// relocated address (works in every program type).</summary>
    public static T Read<T>(in T field) where T : unmanaged => throw new BpfOnlyException();

    /// <summary><c>BPF_CORE_READ_USER</c>: the same with <c>bpf_probe_read_user</c>.</summary>
    public static T ReadUser<T>(in T field) where T : unmanaged => throw new BpfOnlyException();

    /// <summary><c>BPF_CORE_READ</c> of a pointer field (<c>Core.ReadPointer(in task->real_parent)</c>): C# does not
    /// allow pointer types as type arguments, so <see cref="Read{T}"/> cannot take one. The result is an ordinary
    /// scalar to the verifier: field reads through it (<c>parent->tgid</c>, <see cref="Read{T}"/>) are probe-reads too,
    /// in every program type.</summary>
    public static T* ReadPointer<T>(in T* field) where T : unmanaged => throw new BpfOnlyException();

    /// <summary><see cref="ReadPointer{T}(in T*)"/> for a <c>void*</c> field.</summary>
    public static void* ReadPointer(in void* field) => throw new BpfOnlyException();

    /// <summary><c>BPF_CORE_READ_USER</c> of a pointer field.</summary>
    public static T* ReadUserPointer<T>(in T* field) where T : unmanaged => throw new BpfOnlyException();

    /// <summary><c>BPF_CORE_READ_STR_INTO</c>: copies a NUL-terminated string field with
    /// <c>bpf_probe_read_kernel_str</c>; returns the length including the NUL, or a negative error.</summary>
    public static long ReadString(byte* destination, uint size, in byte field) => throw new BpfOnlyException();

    /// <summary><c>BPF_CORE_READ_USER_STR_INTO</c>: the same with <c>bpf_probe_read_user_str</c>.</summary>
    public static long ReadUserString(byte* destination, uint size, in byte field) => throw new BpfOnlyException();
}
