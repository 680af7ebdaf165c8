namespace BpfSharp.Objects;

/// <summary>
/// A BTF-defined map from the <c>.maps</c> section (libbpf's <c>__uint</c>/<c>__type</c>/<c>__array</c> encoding),
/// or the inner-map template of a map-in-map. Sizes are in bytes; type ids refer to the object's <c>.BTF</c>.
/// </summary>
public sealed class MapSpec
{
    internal MapSpec(string name) => Name = name;

    /// <summary>The map name (the variable name; for an inner template, "outer.inner").</summary>
    public string Name { get; }
    /// <summary>The map type.</summary>
    public BpfMapType Type { get; internal set; }
    /// <summary>Key size in bytes (from <c>key_size</c> or the size of the key type), 0 if unset.</summary>
    public uint KeySize { get; internal set; }
    /// <summary>Value size in bytes (from <c>value_size</c> or the size of the value type), 0 if unset.</summary>
    public uint ValueSize { get; internal set; }
    /// <summary>BTF type id of the key (<c>__type(key, T)</c>), 0 if given only as a size.</summary>
    public int KeyTypeId { get; internal set; }
    /// <summary>BTF type id of the value (<c>__type(value, T)</c>), 0 if given only as a size.</summary>
    public int ValueTypeId { get; internal set; }
    /// <summary><c>max_entries</c>.</summary>
    public uint MaxEntries { get; internal set; }
    /// <summary><c>map_flags</c>.</summary>
    public uint Flags { get; internal set; }
    /// <summary><c>numa_node</c> (meaningful with <c>BPF_F_NUMA_NODE</c>).</summary>
    public uint NumaNode { get; internal set; }
    /// <summary><c>pinning</c>.</summary>
    public MapPinning Pinning { get; internal set; }
    /// <summary><c>map_extra</c> (bloom filter hash count, arena address...).</summary>
    public ulong MapExtra { get; internal set; }
    /// <summary>Which attributes the definition sets, as libbpf's <c>MAP_DEF_*</c> bits.</summary>
    public MapDefinitionParts Parts { get; internal set; }
    /// <summary>For array/hash of maps: the inner map template from <c>__array(values, ...)</c>, else null.</summary>
    public MapSpec? InnerMap { get; internal set; }
    /// <summary>For a prog array: the BTF FUNC_PROTO of <c>__array(values, ...)</c>, else 0.</summary>
    public int ValuesFunctionProtoId { get; internal set; }
    /// <summary>Initial <c>.values</c> slots set by relocations (map-in-map: inner map names; prog array: program names).</summary>
    public IReadOnlyList<MapInitialValue> InitialValues { get; internal set; } = [];
    /// <summary>The BTF VAR of the map (in the <c>.maps</c> DATASEC), 0 for inner templates.</summary>
    public int BtfVarTypeId { get; internal set; }
    /// <summary>The BTF STRUCT describing the definition.</summary>
    public int BtfDefinitionTypeId { get; internal set; }
    /// <summary>Byte offset of the definition in the <c>.maps</c> section (-1 for inner templates).</summary>
    public long SectionOffset { get; internal set; } = -1;
    /// <summary>Size of the definition in the <c>.maps</c> section.</summary>
    public long DefinitionSize { get; internal set; }
    /// <summary>Index of the <c>.maps</c> section (-1 for inner templates).</summary>
    public int SectionIndex { get; internal set; } = -1;
    /// <summary>True if the map variable is static.</summary>
    public bool IsStatic { get; internal set; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Name}: {Type} key {KeySize} value {ValueSize} max_entries {MaxEntries} flags 0x{Flags:x}";
}

/// <summary>One initial slot of a map-in-map or prog array (<c>.values = { [i] = &amp;x }</c>).</summary>
/// <param name="Index">The slot (key) index.</param>
/// <param name="Name">The inner map or program name.</param>
public readonly record struct MapInitialValue(uint Index, string Name);

/// <summary>Which attributes a BTF map definition sets (libbpf's <c>enum map_def_parts</c>).</summary>
[Flags]
public enum MapDefinitionParts
{
    /// <summary>Nothing.</summary>
    None = 0,
    /// <summary><c>type</c>.</summary>
    MapType = 0x001,
    /// <summary><c>key_size</c> or key type.</summary>
    KeySize = 0x002,
    /// <summary><c>key</c> type.</summary>
    KeyType = 0x004,
    /// <summary><c>value_size</c> or value type.</summary>
    ValueSize = 0x008,
    /// <summary><c>value</c> type.</summary>
    ValueType = 0x010,
    /// <summary><c>max_entries</c>.</summary>
    MaxEntries = 0x020,
    /// <summary><c>map_flags</c>.</summary>
    MapFlags = 0x040,
    /// <summary><c>numa_node</c>.</summary>
    NumaNode = 0x080,
    /// <summary><c>pinning</c>.</summary>
    Pinning = 0x100,
    /// <summary><c>values</c> (inner map or prog array functions).</summary>
    InnerMap = 0x200,
    /// <summary><c>map_extra</c>.</summary>
    MapExtra = 0x400,
}
