namespace BpfSharp.Objects;

/// <summary>
/// The object's <c>__arena</c> globals: the <c>.addr_space.1</c> section clang fills with variables declared in
/// address space 1. libbpf makes no map of its own for them: they live in the object's one arena map, which the
/// loader memory-maps and into which it copies the section's initial bytes (at <see cref="GlobalsOffset"/>).
/// </summary>
public sealed class ArenaDataSpec
{
    internal ArenaDataSpec(ElfSection section, MapSpec map, int btfDataSecId, IReadOnlyList<GlobalVariableSpec> variables)
    {
        Section = section;
        Map = map;
        BtfDataSecId = btfDataSecId;
        Variables = variables;
    }

    /// <summary>The section name (<c>.addr_space.1</c>).</summary>
    public string Name => Section.Name;
    /// <summary>The ELF section.</summary>
    public ElfSection Section { get; }
    /// <summary>The arena map (<c>BPF_MAP_TYPE_ARENA</c> in <c>.maps</c>) that holds the globals.</summary>
    public MapSpec Map { get; }
    /// <summary>Size of the globals in bytes.</summary>
    public ulong Size => Section.Size;
    /// <summary>The initial contents (all zero for a section without file data).</summary>
    public ReadOnlyMemory<byte> InitialData => Section.Data;
    /// <summary>The BTF DATASEC of the section, or 0.</summary>
    public int BtfDataSecId { get; }
    /// <summary>The variables, offsets relative to the start of the section, in DATASEC (or symbol) order.</summary>
    public IReadOnlyList<GlobalVariableSpec> Variables { get; }

    /// <summary>
    /// Where the globals start in an arena of <paramref name="arenaBytes"/> bytes: at its end, on a page boundary
    /// (upstream libbpf's placement: the last <c>roundup(size, page)</c> bytes, so that a stray NULL arena pointer
    /// does not land on them). Returns -1 when they do not fit.
    /// </summary>
    public long GlobalsOffset(ulong arenaBytes, int pageSize)
    {
        ulong bytes = PagesFor(Size, pageSize) * (ulong)pageSize;
        return bytes / (ulong)pageSize != PagesFor(Size, pageSize) || bytes > arenaBytes ? -1 : (long)(arenaBytes - bytes);
    }

    /// <summary>Pages that <paramref name="size"/> bytes take (without overflow for any size).</summary>
    internal static ulong PagesFor(ulong size, int pageSize) => size / (ulong)pageSize + (size % (ulong)pageSize != 0 ? 1ul : 0ul);

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Size} bytes, {Variables.Count} variables, arena map '{Map.Name}')";
}
