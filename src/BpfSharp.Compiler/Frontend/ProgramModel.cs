using System.Reflection.Metadata;

namespace BpfSharp.Compiler.Frontend;

/// <summary>A BTF-defined map declared as a static field of a map class.</summary>
internal sealed class MapDefinition
{
    public required string Name { get; init; }
    public required CType ClassType { get; init; }
    public required int MapType { get; init; }
    public CType? Key { get; init; }
    public CType? Value { get; init; }
    public uint KeySize { get; init; }
    public uint ValueSize { get; init; }
    public uint MaxEntries { get; set; }
    public uint Flags { get; set; }
    public uint Pinning { get; set; }

    /// <summary>map_extra (an arena's fixed user-space address), 0 for none.</summary>
    public ulong MapExtra { get; set; }

    /// <summary>A map of maps' inner template (libbpf's <c>__array(values, struct { … })</c>), else null.</summary>
    public MapDefinition? Inner { get; init; }

    /// <summary>A map of maps' initial slots (<c>.values = { [i] = &amp;map }</c>): slot index → map index.</summary>
    public SortedDictionary<uint, int> InitialSlots { get; } = [];
}

/// <summary>A global variable (.data, .rodata, .bss) or a string literal in .rodata.</summary>
internal sealed class GlobalVariable
{
    public required string Name { get; init; }
    public required string Section { get; set; }
    public CType? Type { get; init; }
    public required byte[] Initial { get; init; }
    public int Offset { get; set; }

    /// <summary>String literals have no symbol and no BTF VAR, as clang's.</summary>
    public bool IsLiteral { get; init; }

    /// <summary>A value the loader fills in (a <c>.kconfig</c> or <c>.ksyms</c> extern): an undefined symbol, no
    /// bytes of its own.</summary>
    public bool IsExtern { get; init; }

    /// <summary>An extern declared weak.</summary>
    public bool IsWeak { get; init; }
}

/// <summary>What a map class is, by its metadata name (see docs/kernel-api.md).</summary>
/// <param name="MapType">The kernel's map type number.</param>
/// <param name="KeyArgument">The index of the generic argument that is the key type; -1 none, -2 "uint", -3 "int".</param>
/// <param name="ValueArgument">As <paramref name="KeyArgument"/>, for the value type.</param>
/// <param name="KeySize">The key size when no generic argument gives it.</param>
/// <param name="ValueSize">The value size when no generic argument gives it.</param>
/// <param name="InnerArgument">For a map of maps, the index of the generic argument that is the inner map class, else -1.</param>
internal readonly record struct MapClassInfo(int MapType, int KeyArgument, int ValueArgument, uint KeySize, uint ValueSize, int InnerArgument = -1);

internal static class MapClasses
{
    // Key/ValueArgument: index of the generic argument, -1 none, -2 "uint", -3 "int".
    private static readonly Dictionary<string, MapClassInfo> Table = new()
    {
        ["HashMap`2"] = new(1, 0, 1, 0, 0),
        ["ArrayMap`1"] = new(2, -2, 0, 0, 0),
        ["ProgramArray"] = new(3, -1, -1, 4, 4),
        ["PerfEventArray"] = new(4, -1, -1, 4, 4),
        ["PerCpuHashMap`2"] = new(5, 0, 1, 0, 0),
        ["PerCpuArrayMap`1"] = new(6, -2, 0, 0, 0),
        ["StackTraceMap"] = new(7, -1, -1, 4, 127 * 8),
        ["LruHashMap`2"] = new(9, 0, 1, 0, 0),
        ["LruPerCpuHashMap`2"] = new(10, 0, 1, 0, 0),
        ["CgroupArrayMap"] = new(8, -1, -1, 4, 4),
        ["LpmTrieMap`2"] = new(11, 0, 1, 0, 0),
        ["QueueMap`1"] = new(22, -1, 0, 0, 0),
        ["StackMap`1"] = new(23, -1, 0, 0, 0),
        ["RingBuffer"] = new(27, -1, -1, 0, 0),
        ["UserRingBuffer"] = new(31, -1, -1, 0, 0),
        ["BloomFilterMap`1"] = new(30, -1, 0, 0, 0),
        ["ArenaMap"] = new(ArenaMapType, -1, -1, 0, 0),
        ["DevMap"] = new(14, -1, -1, 4, 4),
        ["SockMap"] = new(15, -1, -1, 4, 4),
        ["CpuMap"] = new(16, -1, -1, 4, 4),
        ["XskMap"] = new(17, -1, -1, 4, 4),
        ["SockHash`1"] = new(18, 0, -1, 0, 4),
        ["DevMapHash"] = new(25, -1, -1, 4, 4),
        ["ReuseportSockArray"] = new(20, -1, -1, 4, 4),

        // Maps of maps: no value type, an inner template from the inner map class and the inner* arguments.
        ["ArrayOfMaps`1"] = new(12, -2, -1, 0, 0, InnerArgument: 0),
        ["HashOfMaps`2"] = new(13, 0, -1, 0, 0, InnerArgument: 1),

        // Local storage: an int key (the owner's fd in user space), no max_entries.
        ["SocketStorageMap`1"] = new(24, -3, 0, 0, 0),
        ["InodeStorageMap`1"] = new(28, -3, 0, 0, 0),
        ["TaskStorageMap`1"] = new(29, -3, 0, 0, 0),
        ["CgroupStorageMap`1"] = new(32, -3, 0, 0, 0),

        // The escape hatch: type, key_size and value_size come from the constructor's arguments.
        ["UntypedMap"] = new(UntypedMapType, -1, -1, 0, 0),
    };

    /// <summary>MapType of a class whose map type is its constructor's <c>type</c> argument.</summary>
    public const int UntypedMapType = -1;

    /// <summary>BPF_MAP_TYPE_ARENA.</summary>
    public const int ArenaMapType = 33;

    public static bool TryGet(CType type, out MapClassInfo info)
    {
        info = default;
        if (type.Kind != CTypeKind.Class || type.Module is null || type.Module.Name != "BpfSharp.Kernel")
        {
            return false;
        }

        var reader = type.Module.Reader;
        return Table.TryGetValue(reader.GetString(reader.GetTypeDefinition(type.Handle).Name), out info);
    }
}

/// <summary>An entry program found in the assembly.</summary>
internal sealed record ProgramEntry(string Section, ResolvedMethod Method);
