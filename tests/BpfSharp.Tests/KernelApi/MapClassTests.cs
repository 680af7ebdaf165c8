using System.Reflection;
using BpfSharp.Kernel;

namespace BpfSharp.Tests.KernelApi;

public unsafe class MapClassTests
{
    // The compiler's table: class name (with generic arity) → BPF_MAP_TYPE_*, and whether the constructor sizes the
    // map with maxEntries (required or optional) or with size.
    private static readonly (string ClassName, string KernelMapType, string SizeParameter, bool SizeOptional)[] Table =
    [
        ("HashMap`2", "BPF_MAP_TYPE_HASH", "maxEntries", false),
        ("ArrayMap`1", "BPF_MAP_TYPE_ARRAY", "maxEntries", false),
        ("ProgramArray", "BPF_MAP_TYPE_PROG_ARRAY", "maxEntries", false),
        ("PerfEventArray", "BPF_MAP_TYPE_PERF_EVENT_ARRAY", "maxEntries", true),
        ("PerCpuHashMap`2", "BPF_MAP_TYPE_PERCPU_HASH", "maxEntries", false),
        ("PerCpuArrayMap`1", "BPF_MAP_TYPE_PERCPU_ARRAY", "maxEntries", false),
        ("StackTraceMap", "BPF_MAP_TYPE_STACK_TRACE", "maxEntries", false),
        ("LruHashMap`2", "BPF_MAP_TYPE_LRU_HASH", "maxEntries", false),
        ("LruPerCpuHashMap`2", "BPF_MAP_TYPE_LRU_PERCPU_HASH", "maxEntries", false),
        ("RingBuffer", "BPF_MAP_TYPE_RINGBUF", "size", false),
        ("UserRingBuffer", "BPF_MAP_TYPE_USER_RINGBUF", "size", false),
        ("CgroupArrayMap", "BPF_MAP_TYPE_CGROUP_ARRAY", "maxEntries", false),
        ("LpmTrieMap`2", "BPF_MAP_TYPE_LPM_TRIE", "maxEntries", false),
        ("QueueMap`1", "BPF_MAP_TYPE_QUEUE", "maxEntries", false),
        ("StackMap`1", "BPF_MAP_TYPE_STACK", "maxEntries", false),
        ("BloomFilterMap`1", "BPF_MAP_TYPE_BLOOM_FILTER", "maxEntries", false),
        ("DevMap", "BPF_MAP_TYPE_DEVMAP", "maxEntries", false),
        ("SockMap", "BPF_MAP_TYPE_SOCKMAP", "maxEntries", false),
        ("CpuMap", "BPF_MAP_TYPE_CPUMAP", "maxEntries", false),
        ("XskMap", "BPF_MAP_TYPE_XSKMAP", "maxEntries", false),
        ("SockHash`1", "BPF_MAP_TYPE_SOCKHASH", "maxEntries", false),
        ("DevMapHash", "BPF_MAP_TYPE_DEVMAP_HASH", "maxEntries", false),
        ("ReuseportSockArray", "BPF_MAP_TYPE_REUSEPORT_SOCKARRAY", "maxEntries", false),
        ("ArenaMap", "BPF_MAP_TYPE_ARENA", "pages", false),
    ];

    // Classes without a size parameter: local storage (constructor: flags defaulting to BPF_F_NO_PREALLOC, pinning).
    private static readonly (string ClassName, string KernelMapType)[] LocalStorageTable =
    [
        ("SocketStorageMap`1", "BPF_MAP_TYPE_SK_STORAGE"),
        ("InodeStorageMap`1", "BPF_MAP_TYPE_INODE_STORAGE"),
        ("TaskStorageMap`1", "BPF_MAP_TYPE_TASK_STORAGE"),
        ("CgroupStorageMap`1", "BPF_MAP_TYPE_CGRP_STORAGE"),
    ];

    // Maps of maps: the inner template comes from the inner map class argument and the constructor's inner* arguments.
    private static readonly (string ClassName, string KernelMapType, long Value)[] MapOfMapsTable =
    [
        ("ArrayOfMaps`1", "BPF_MAP_TYPE_ARRAY_OF_MAPS", 12),
        ("HashOfMaps`2", "BPF_MAP_TYPE_HASH_OF_MAPS", 13),
    ];

    /// <summary>The concrete map classes (the abstract KeyedMap / PerCpuKeyedMap / IndexedMap only share code).</summary>
    private static IEnumerable<Type> MapClasses() =>
        KernelApiKit.KernelAssembly.GetTypes().Where(t => t.IsSubclassOf(typeof(KernelMap)) && !t.IsAbstract);

    [Fact]
    public void EveryMapClassIsInTheCompilersTableAndViceVersa()
    {
        var names = MapClasses().Select(t => t.Name).Order().ToList();
        Assert.Equal(Table.Select(r => r.ClassName).Concat(LocalStorageTable.Select(r => r.ClassName)).Concat(MapOfMapsTable.Select(r => r.ClassName))
            .Append("UntypedMap").Order(), names);
        foreach (var t in MapClasses())
        {
            Assert.True(t.IsSealed, $"{t.Name} must be sealed");
            Assert.True(t.BaseType == typeof(KernelMap) || (t.BaseType!.IsAbstract && t.BaseType.IsSubclassOf(typeof(KernelMap))),
                $"{t.Name} derives from {t.BaseType}");
            Assert.Equal("BpfSharp.Kernel", t.Namespace);
        }
    }

    [Fact]
    public void TheTablesMapTypesAreTheKernels()
    {
        var kernel = KernelApiKit.NamedEnum(KernelApiKit.Vmlinux, "bpf_map_type").ToDictionary(p => p.Name, p => p.Value);
        var documented = new Dictionary<string, long>
        {
            ["BPF_MAP_TYPE_HASH"] = 1, ["BPF_MAP_TYPE_ARRAY"] = 2, ["BPF_MAP_TYPE_PROG_ARRAY"] = 3,
            ["BPF_MAP_TYPE_PERF_EVENT_ARRAY"] = 4, ["BPF_MAP_TYPE_PERCPU_HASH"] = 5, ["BPF_MAP_TYPE_PERCPU_ARRAY"] = 6,
            ["BPF_MAP_TYPE_STACK_TRACE"] = 7, ["BPF_MAP_TYPE_LRU_HASH"] = 9, ["BPF_MAP_TYPE_LRU_PERCPU_HASH"] = 10,
            ["BPF_MAP_TYPE_RINGBUF"] = 27, ["BPF_MAP_TYPE_USER_RINGBUF"] = 31, ["BPF_MAP_TYPE_CGROUP_ARRAY"] = 8, ["BPF_MAP_TYPE_LPM_TRIE"] = 11,
            ["BPF_MAP_TYPE_QUEUE"] = 22, ["BPF_MAP_TYPE_STACK"] = 23, ["BPF_MAP_TYPE_BLOOM_FILTER"] = 30,
            ["BPF_MAP_TYPE_DEVMAP"] = 14, ["BPF_MAP_TYPE_SOCKMAP"] = 15, ["BPF_MAP_TYPE_CPUMAP"] = 16, ["BPF_MAP_TYPE_XSKMAP"] = 17,
            ["BPF_MAP_TYPE_SOCKHASH"] = 18, ["BPF_MAP_TYPE_DEVMAP_HASH"] = 25, ["BPF_MAP_TYPE_REUSEPORT_SOCKARRAY"] = 20,
            ["BPF_MAP_TYPE_ARENA"] = 33,
        };
        foreach (var row in Table) Assert.Equal(documented[row.KernelMapType], kernel[row.KernelMapType]);
        var localStorage = new Dictionary<string, long>
        {
            ["BPF_MAP_TYPE_SK_STORAGE"] = 24, ["BPF_MAP_TYPE_INODE_STORAGE"] = 28, ["BPF_MAP_TYPE_TASK_STORAGE"] = 29,
            ["BPF_MAP_TYPE_CGRP_STORAGE"] = 32,
        };
        foreach (var row in LocalStorageTable) Assert.Equal(localStorage[row.KernelMapType], kernel[row.KernelMapType]);
        foreach (var row in MapOfMapsTable) Assert.Equal(row.Value, kernel[row.KernelMapType]);
    }

    [Fact]
    public void MapOfMapsConstructorsTakeTheParameterNamesTheCompilerReads()
    {
        foreach (var row in MapOfMapsTable)
        {
            var type = MapClasses().Single(t => t.Name == row.ClassName);
            var ps = Assert.Single(type.GetConstructors()).GetParameters();
            Assert.Equal(["maxEntries", "innerMaxEntries", "flags", "innerFlags", "pinning"], ps.Select(p => p.Name));
            Assert.Equal([typeof(uint), typeof(uint), typeof(MapFlags), typeof(MapFlags), typeof(MapPinning)], ps.Select(p => p.ParameterType));
            Assert.False(ps[0].IsOptional || ps[1].IsOptional, $"{type.Name}: the sizes are required");
            Assert.True(ps.Skip(2).All(p => p.IsOptional && Convert.ToUInt32(p.DefaultValue) == 0), $"{type.Name}: flags and pinning default to none");
            // The last type argument is the inner map class.
            var inner = type.GetGenericArguments()[^1];
            Assert.Equal("TInner", inner.Name);
            Assert.Equal(typeof(KernelMap), Assert.Single(inner.GetGenericParameterConstraints()));
        }

        // Only an array of maps has initial slots (an init-only indexer, as libbpf's `.values = { [i] = &map }`).
        var indexer = Assert.Single(typeof(ArrayOfMaps<>).GetProperties(), p => p.GetIndexParameters().Length == 1);
        Assert.Null(indexer.GetMethod);
        Assert.Contains(indexer.SetMethod!.ReturnParameter.GetRequiredCustomModifiers(), m => m.Name == "IsExternalInit");
        Assert.DoesNotContain(typeof(HashOfMaps<,>).GetProperties(), p => p.GetIndexParameters().Length > 0);
    }

    [Fact]
    public void LocalStorageAndUntypedConstructorsTakeTheParameterNamesTheCompilerReads()
    {
        foreach (var row in LocalStorageTable)
        {
            var ps = Assert.Single(MapClasses().Single(t => t.Name == row.ClassName).GetConstructors()).GetParameters();
            Assert.Equal(["flags", "pinning"], ps.Select(p => p.Name));
            Assert.Equal(MapFlags.NoPrealloc, (MapFlags)ps[0].DefaultValue!);
            Assert.Equal(MapPinning.None, (MapPinning)ps[1].DefaultValue!);
        }

        var untyped = Assert.Single(typeof(UntypedMap).GetConstructors()).GetParameters();
        Assert.Equal(["type", "keySize", "valueSize", "maxEntries", "flags", "pinning"], untyped.Select(p => p.Name));
        Assert.Equal([typeof(uint), typeof(uint), typeof(uint), typeof(uint), typeof(MapFlags), typeof(MapPinning)], untyped.Select(p => p.ParameterType));
    }

    [Fact]
    public void BpfMapCannotBeSubclassedOutsideTheLibrary()
    {
        var ctors = typeof(KernelMap).GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance);
        var ctor = Assert.Single(ctors);
        Assert.True(ctor.IsFamilyAndAssembly, "KernelMap() must be private protected");
        Assert.Empty(ctor.GetParameters());
        Assert.True(typeof(KernelMap).IsAbstract);
        Assert.Empty(typeof(KernelMap).GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly));
    }

    [Fact]
    public void ConstructorsTakeTheParameterNamesTheCompilerReads()
    {
        foreach (var row in Table)
        {
            var type = MapClasses().Single(t => t.Name == row.ClassName);
            var ctor = Assert.Single(type.GetConstructors());
            var ps = ctor.GetParameters();
            // An arena alone takes its fixed address (map_extra) too.
            var extra = row.ClassName == "ArenaMap" ? new[] { ("address", typeof(ulong)) } : [];
            Assert.Equal([row.SizeParameter, "flags", "pinning", .. extra.Select(e => e.Item1)], ps.Select(p => p.Name));
            Assert.Equal([typeof(uint), typeof(MapFlags), typeof(MapPinning), .. extra.Select(e => e.Item2)], ps.Select(p => p.ParameterType));
            Assert.Equal(row.SizeOptional, ps[0].IsOptional);
            if (row.SizeOptional) Assert.Equal(0u, ps[0].DefaultValue);
            // An LPM trie is the one map the kernel creates only with BPF_F_NO_PREALLOC, an arena only with BPF_F_MMAPABLE.
            var defaultFlags = row.ClassName switch { "LpmTrieMap`2" => MapFlags.NoPrealloc, "ArenaMap" => MapFlags.Mmapable, _ => MapFlags.None };
            Assert.True(ps[1].IsOptional && (MapFlags)ps[1].DefaultValue! == defaultFlags, $"{type.Name}: flags defaults to {defaultFlags}");
            Assert.True(ps[2].IsOptional && (MapPinning)ps[2].DefaultValue! == MapPinning.None, $"{type.Name}: pinning defaults to None");
            if (extra.Length > 0) Assert.True(ps[3].IsOptional && (ulong)ps[3].DefaultValue! == 0, "ArenaMap: address defaults to 0 (the kernel picks)");
        }
    }

    [Fact]
    public void MapEnumsHaveTheDocumentedValues()
    {
        Assert.Equal(0u, (uint)MapPinning.None);
        Assert.Equal(1u, (uint)MapPinning.ByName);
        Assert.Equal([0ul, 1, 2, 4], Enum.GetValues<UpdateFlags>().Select(v => (ulong)v));
        Assert.Equal(typeof(uint), Enum.GetUnderlyingType(typeof(MapFlags)));
        Assert.Equal(typeof(uint), Enum.GetUnderlyingType(typeof(MapPinning)));
        Assert.NotNull(typeof(MapFlags).GetCustomAttribute<FlagsAttribute>());
    }

    [Fact]
    public void KeyAndValueTypeParametersAreUnmanaged()
    {
        foreach (var t in MapClasses().Where(t => t.IsGenericTypeDefinition))
            foreach (var arg in t.GetGenericArguments().Where(a => a.Name != "TInner"))
                Assert.True(arg.GenericParameterAttributes.HasFlag(GenericParameterAttributes.NotNullableValueTypeConstraint)
                    && arg.CustomAttributes.Any(a => a.AttributeType.Name == "IsUnmanagedAttribute"), $"{t.Name}<{arg.Name}> must be unmanaged");
    }

    // Map fields are initialised in static constructors, which also run on .NET (reflection, the loader):
    // constructing a map must not throw, while using one outside BPF must.
    [Fact]
    public void MapsConstructOnDotNetButTheirMethodsAreBpfOnly()
    {
        var hash = new HashMap<uint, ulong>(maxEntries: 16);
        var array = new ArrayMap<ulong>(maxEntries: 4, flags: MapFlags.Mmapable);
        var ring = new RingBuffer(size: 4096, pinning: MapPinning.ByName);
        _ = new PerfEventArray();
        _ = new StackTraceMap(maxEntries: 8);
        _ = new ProgramArray(maxEntries: 2);
        _ = new PerCpuHashMap<uint, uint>(8);
        _ = new PerCpuArrayMap<uint>(1);
        _ = new LruHashMap<ulong, uint>(8, MapFlags.NoCommonLru);
        _ = new LruPerCpuHashMap<ulong, uint>(8);
        Assert.Throws<BpfOnlyException>(() => hash.Lookup(1));
        Assert.Throws<BpfOnlyException>(() => { array.Update(0, 5); });
        Assert.Throws<BpfOnlyException>(() => ring.Output(42L));
    }

    [Fact]
    public void DocumentedInstanceMethodsExist()
    {
        Assert.NotNull(typeof(HashMap<,>).GetMethod("Lookup"));
        Assert.NotNull(typeof(HashMap<,>).GetMethod("Update"));
        Assert.NotNull(typeof(HashMap<,>).GetMethod("Delete"));
        var arrayLookup = typeof(ArrayMap<>).GetMethod("Lookup")!;
        Assert.Equal(typeof(uint), Assert.Single(arrayLookup.GetParameters()).ParameterType);
        Assert.Contains(typeof(RingBuffer).GetMethods(), m => m.Name == "Reserve" && m.IsGenericMethodDefinition && m.GetParameters().Length == 0);
        Assert.Contains(typeof(RingBuffer).GetMethods(), m => m.Name == "Reserve" && m.GetParameters() is [{ ParameterType: var p }] && p == typeof(ulong));
        Assert.Contains(typeof(PerfEventArray).GetMethods(), m => m.Name == "Output" && m.IsGenericMethodDefinition);
        Assert.NotNull(typeof(ProgramArray).GetMethod("TailCall"));
        Assert.NotNull(typeof(StackTraceMap).GetMethod("GetStackId", [typeof(void*), typeof(StackIdFlags)]));
        Assert.NotNull(typeof(StackTraceMap).GetMethod("GetStackId", [typeof(void*), typeof(int), typeof(StackIdFlags)]));
        var update = typeof(HashMap<,>).GetMethod("Update")!.GetParameters();
        Assert.True(update[0].IsIn && update[1].IsIn, "Update takes key and value by in-reference");
        Assert.Equal(UpdateFlags.Any, (UpdateFlags)update[2].DefaultValue!);
    }
}
