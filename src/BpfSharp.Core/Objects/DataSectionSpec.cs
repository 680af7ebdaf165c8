namespace BpfSharp.Objects;

/// <summary>The kind of a global data section (libbpf makes each an internal array map).</summary>
public enum DataSectionKind
{
    /// <summary><c>.data</c>, <c>.data.*</c>: writable, initialised.</summary>
    Data,
    /// <summary><c>.rodata</c>, <c>.rodata.*</c>: read-only (frozen after load), initialised.</summary>
    ReadOnlyData,
    /// <summary><c>.bss</c>, <c>.bss.*</c>: writable, zero-initialised.</summary>
    Bss,
    /// <summary><c>.kconfig</c>: extern Kconfig values the loader fills in (no ELF section; from BTF).</summary>
    Kconfig,
}

/// <summary>A global data section and its variables (from its BTF DATASEC, or from symbols when there is no BTF).</summary>
public sealed class DataSectionSpec
{
    internal DataSectionSpec(string name, DataSectionKind kind, ElfSection? section, ulong size, int btfDataSecId, IReadOnlyList<GlobalVariableSpec> variables)
    {
        Name = name;
        Kind = kind;
        Section = section;
        Size = size;
        BtfDataSecId = btfDataSecId;
        Variables = variables;
    }

    /// <summary>The section name (<c>.data</c>, <c>.rodata.str1.1</c>, <c>.kconfig</c>...).</summary>
    public string Name { get; }
    /// <summary>What kind of data it is.</summary>
    public DataSectionKind Kind { get; }
    /// <summary>The ELF section, or null for <c>.kconfig</c>.</summary>
    public ElfSection? Section { get; }
    /// <summary>Size in bytes.</summary>
    public ulong Size { get; }
    /// <summary>The initial contents (empty for <c>.bss</c> and <c>.kconfig</c>: all zero).</summary>
    public ReadOnlyMemory<byte> InitialData => Section?.Data ?? ReadOnlyMemory<byte>.Empty;
    /// <summary>The BTF DATASEC of the section, or 0.</summary>
    public int BtfDataSecId { get; }
    /// <summary>The variables, in DATASEC (or symbol) order.</summary>
    public IReadOnlyList<GlobalVariableSpec> Variables { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Kind}, {Size} bytes, {Variables.Count} variables)";
}

/// <summary>One variable of a global data section.</summary>
/// <param name="Name">The variable name.</param>
/// <param name="Offset">Byte offset in the section.</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="BtfVarId">The BTF VAR (0 without BTF).</param>
/// <param name="BtfTypeId">The variable's type (the VAR's target; 0 without BTF).</param>
/// <param name="IsStatic">True for static variables (BTF linkage static, or a local symbol).</param>
public readonly record struct GlobalVariableSpec(string Name, ulong Offset, ulong Size, int BtfVarId, int BtfTypeId, bool IsStatic);
