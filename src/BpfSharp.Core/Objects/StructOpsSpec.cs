namespace BpfSharp.Objects;

/// <summary>
/// One struct_ops map of an object: a global variable in <c>.struct_ops</c> or <c>.struct_ops.link</c> whose type
/// is a kernel "ops" struct (e.g. <c>tcp_congestion_ops</c>), its function pointer members set to programs of the
/// object (relocations against the section) and its other members to data. The loader creates a
/// <c>BPF_MAP_TYPE_STRUCT_OPS</c> map of the kernel's <c>bpf_struct_ops_NAME</c> type from it (libbpf's
/// <c>bpf_object__init_struct_ops_maps</c>).
/// </summary>
public sealed class StructOpsSpec
{
    internal StructOpsSpec(string name, string sectionName, int typeId, string typeName, ulong sectionOffset, ReadOnlyMemory<byte> data,
        IReadOnlyList<StructOpsSlot> programs)
    {
        Name = name;
        SectionName = sectionName;
        TypeId = typeId;
        TypeName = typeName;
        SectionOffset = sectionOffset;
        Data = data;
        Programs = programs;
    }

    /// <summary>The variable's name: the map's name.</summary>
    public string Name { get; }

    /// <summary><c>.struct_ops</c> or <c>.struct_ops.link</c>.</summary>
    public string SectionName { get; }

    /// <summary>
    /// True for <c>.struct_ops.link</c>: the map is created with <c>BPF_F_LINK</c> and registered through a BPF link
    /// (<c>BPF_LINK_CREATE</c>), which unregisters when closed; otherwise updating the map registers it.
    /// </summary>
    public bool IsLink => SectionName == ObjectSpec.StructOpsLinkSection;

    /// <summary>The variable's struct type in the object's BTF (modifiers and typedefs skipped).</summary>
    public int TypeId { get; }

    /// <summary>The struct's name, which the kernel's type must have (<c>tcp_congestion_ops</c>).</summary>
    public string TypeName { get; }

    /// <summary>Where the variable starts in its section.</summary>
    public ulong SectionOffset { get; }

    /// <summary>The variable's initial bytes, laid out as the object's struct type.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The function pointer members set to programs, in member order.</summary>
    public IReadOnlyList<StructOpsSlot> Programs { get; }
}

/// <summary>A function pointer member of a struct_ops variable and the program it points to.</summary>
/// <param name="MemberName">The member's name (matched by name with the kernel's struct).</param>
/// <param name="MemberIndex">The member's index in the object's struct.</param>
/// <param name="ByteOffset">The member's offset in the object's struct.</param>
/// <param name="ProgramName">The program (an entry point in a <c>struct_ops/</c> section).</param>
public readonly record struct StructOpsSlot(string MemberName, int MemberIndex, uint ByteOffset, string ProgramName);
