using System.Buffers.Binary;
using System.Text.RegularExpressions;
using BpfSharp.Linux;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Objects;

namespace BpfSharp.Tests.Loading;

/// <summary>
/// Arena objects (testdata/loader/arena.c): <c>__arena</c> globals in <c>.addr_space.1</c>, the arena map, pages
/// from <c>bpf_arena_alloc_pages</c>. The reader is checked against llvm's view of the file, the loader against
/// the kernel (a syscall program builds a list in the arena; user space walks it through the mapping).
/// </summary>
[Collection("Loader kernel tests")]
public sealed partial class ArenaTests(ITestOutputHelper output)
{
    private const ulong ArenaAddress = 1ul << 44; // the object's map_extra
    private const int ArenaPages = 8;
    private const int NodeSize = 16; // struct node { next; value; }

    private static ObjectSpec Arena() => ObjectSpec.Load(LoaderObjects.Get("arena"));

    [Fact]
    public void ReaderFindsTheArenaMapAndGlobalsWhereLlvmPutsThem()
    {
        var path = LoaderObjects.Get("arena");
        var spec = ObjectSpec.Load(path);
        Assert.NotNull(spec.ArenaMap);
        Assert.Equal("arena", spec.ArenaMap.Name);
        Assert.Equal(BpfMapType.Arena, spec.ArenaMap.Type);
        Assert.Equal((uint)ArenaPages, spec.ArenaMap.MaxEntries);
        Assert.Equal(ArenaAddress, spec.ArenaMap.MapExtra);
        var arena = spec.ArenaData;
        Assert.NotNull(arena);
        Assert.Same(spec.ArenaMap, arena.Map);
        Assert.Equal(".addr_space.1", arena.Name);
        Assert.True(arena.BtfDataSecId > 0);
        // The symbol table as llvm-readelf prints it: every OBJECT symbol of .addr_space.1, with value and size.
        int sectionIndex = arena.Section.Index;
        var expected = new Dictionary<string, (ulong Value, ulong Size)>();
        foreach (Match m in SymbolLine().Matches(TestObjects.Run("llvm-readelf-19", $"-sW {TestObjects.Quote(path)}")))
            if (m.Groups["ndx"].Value == sectionIndex.ToString() && m.Groups["type"].Value == "OBJECT")
                expected[m.Groups["name"].Value] = (Convert.ToUInt64(m.Groups["value"].Value, 16), ulong.Parse(m.Groups["size"].Value));
        Assert.Equal(["arena_counter", "arena_seed", "arena_table"], expected.Keys.Order());
        Assert.Equal(expected.OrderBy(e => e.Key).Select(e => (e.Key, e.Value.Value, e.Value.Size)),
            arena.Variables.OrderBy(v => v.Name).Select(v => (v.Name, v.Offset, v.Size)));
        // The section's bytes hold the initial values (7 and 11, 22, 33, 44).
        var data = arena.InitialData.Span;
        var seed = arena.Variables.Single(v => v.Name == "arena_seed");
        Assert.Equal(7u, BinaryPrimitives.ReadUInt32LittleEndian(data[(int)seed.Offset..]));
        var table = arena.Variables.Single(v => v.Name == "arena_table");
        for (int i = 0; i < 4; i++)
            Assert.Equal((ulong)(11 * (i + 1)), BinaryPrimitives.ReadUInt64LittleEndian(data[((int)table.Offset + 8 * i)..]));
        // arena_* globals are not ordinary data sections.
        Assert.DoesNotContain(spec.DataSections, d => d.Name == ".addr_space.1");
    }

    [Fact]
    public void ArenaRelocationsAreTheOnesLlvmObjdumpShows()
    {
        var path = LoaderObjects.Get("arena");
        var spec = ObjectSpec.Load(path);
        var arenaVars = spec.ArenaData!.Variables.Select(v => v.Name).ToHashSet();
        // llvm-objdump -dr: "0000000000000078:  R_BPF_64_64	arena_seed" (byte offset in the section).
        var expected = RelocationLine().Matches(TestObjects.Run("llvm-objdump-19", $"-dr {TestObjects.Quote(path)}"))
            .Where(m => arenaVars.Contains(m.Groups["sym"].Value))
            .Select(m => ((int)(Convert.ToUInt64(m.Groups["off"].Value, 16) / 8), m.Groups["sym"].Value))
            .Order().ToList();
        Assert.NotEmpty(expected);
        var actual = spec.References.Where(r => r.Kind == InstructionReferenceKind.ArenaData)
            .Select(r => (r.InstructionIndex, r.TargetName)).Order().ToList();
        Assert.Equal(expected, actual);
        var vars = spec.ArenaData.Variables.ToDictionary(v => v.Name);
        foreach (var r in spec.References.Where(r => r.Kind == InstructionReferenceKind.ArenaData))
        {
            Assert.Same(spec.ArenaMap, r.Map);
            Assert.Equal((long)vars[r.TargetName].Offset, r.DataOffset);
        }
    }

    /// <summary>
    /// Skips (saying why) when the kernel refuses arena maps to this process. Some kernels answer EPERM to
    /// BPF_MAP_CREATE of an arena even for root with every capability (a plain C bpf() call gets the same); then
    /// the loader must still fail on that map, by name, with the kernel's answer, and nothing else is left to run.
    /// </summary>
    private void RequireArena()
    {
        KernelObjects.RequireBpf();
        try
        {
            using var probe = BpfMap.Create(BpfMapType.Arena, 0, 0, 1, BpfMapFlags.Mmapable);
        }
        catch (BpfSyscallException e) when (e.Errno is 1 or 95 or 524) // EPERM, EOPNOTSUPP (no arena JIT), ENOTSUPP
        {
            var error = Assert.Throws<BpfLoadException>(() => new BpfObjectLoader(Arena()).Load());
            Assert.Contains("map 'arena': failed to create: " + e.ErrnoName, error.Message);
            output.WriteLine($"the kernel refuses BPF_MAP_TYPE_ARENA (BPF_MAP_CREATE: {e.ErrnoName}); the loader reports it as: {error.Message}");
            Assert.Skip($"the kernel refuses arena maps to this process (BPF_MAP_CREATE: {e.ErrnoName}), so the arena cannot be created, mapped or run");
        }
    }

    /// <summary>arena.c, or its C# twin (ArenaTests.CSharp.cs).</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ProgramBuildsAListInTheArenaThatUserSpaceWalks(bool fromCSharp)
    {
        RequireArena();
        int page = Environment.SystemPageSize;
        var loader = new BpfObjectLoader(fromCSharp ? CSharpArenaGlobalsSpec() : Arena());
        loader.SetVariable("arena_seed", 9u); // an __arena global set before load reaches the kernel's copy
        using var c = loader.Load();
        var arena = c.Arena;
        Assert.NotNull(arena);
        Assert.Equal(ArenaAddress, arena.Address);
        Assert.Equal((ulong)(ArenaPages * page), arena.Length);
        // The globals sit in the arena's last page, as upstream libbpf places them.
        Assert.Equal((long)(ArenaPages - 1) * page, arena.GlobalsOffset);
        Assert.Equal(9u, arena.Read<uint>("arena_seed"));
        Assert.Equal([11ul, 22, 33, 44], Table(arena));
        Assert.Equal(0ul, c.ReadVariable<ulong>("arena_counter"));
        // The kernel's own view of the map: an arena of the declared pages.
        var info = BpfSharp.Linux.Inspection.BpfMapInfo.Read(c.Maps["arena"].FileDescriptor);
        Assert.Equal(BpfMapType.Arena, info.Type);
        Assert.Equal(ArenaPages, info.MaxEntries);

        var run = c.Programs["build_list"].TestRun([]);
        Assert.Equal(0u, run.ReturnValue);
        Assert.Equal(0ul, c.ReadVariable<ulong>("alloc_failed"));
        Assert.Equal(9ul, c.ReadVariable<ulong>("seed_seen"));
        var expected = Enumerable.Range(1, 5).Select(i => (ulong)(i * i) + 9).Reverse().ToList();
        var (values, nodes) = Walk(arena, c.ReadVariable<ulong>("list_head"));
        Assert.Equal(expected, values);
        // The page came from bpf_arena_alloc_pages: inside the arena, not on the globals' page; nodes are adjacent.
        Assert.All(nodes, n => Assert.True(n - arena.Address < (ulong)arena.GlobalsOffset, $"node 0x{n:x} outside the allocated pages"));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => nodes[^1] + (ulong)(i * NodeSize)).Reverse(), nodes);
        ulong sum = expected.Aggregate(0ul, (a, b) => a + b);
        Assert.Equal(sum, arena.Read<ulong>("arena_counter"));
        Assert.Equal([11ul, 22, 33 + sum, 44], Table(arena));

        // User space writes an __arena global; the next run reads it, allocates a second page and extends the list.
        c.WriteVariable("arena_seed", 100u);
        Assert.Equal(0u, c.Programs["build_list"].TestRun([]).ReturnValue);
        Assert.Equal(100ul, c.ReadVariable<ulong>("seed_seen"));
        var more = Enumerable.Range(1, 5).Select(i => (ulong)(i * i) + 100).Reverse().Concat(expected).ToList();
        var (after, afterNodes) = Walk(arena, c.ReadVariable<ulong>("list_head"));
        Assert.Equal(more, after);
        Assert.NotEqual(afterNodes[0] / (ulong)page, nodes[0] / (ulong)page);
        ulong total = more.Aggregate(0ul, (a, b) => a + b);
        Assert.Equal(total, arena.Read<ulong>("arena_counter"));
        Assert.Equal([11ul, 22, 33 + sum + total, 44], Table(arena));
    }

    private const string CSharpArena = """
        using BpfSharp.Kernel;

        public static unsafe class ArenaDeclaration
        {
            static readonly ArenaMap ArenaHeap = new(pages: 4);

            // The compiler emits the maps programs mention; this program mentions the arena in a call the verifier
            // refuses for arenas, so the kernel test loads without it (autoload off). Arena code: ArenaTests.CSharp.cs.
            [Xdp]
            public static int ArenaPass(XdpMd* ctx) => Bpf.MapLookupElem(ArenaHeap, null) == null ? 2 : 1;
        }
        """;

    [Fact]
    public void CSharpArenaMapDeclaresWhatClangDeclaresForItsCTwin()
    {
        var ours = ObjectSpec.Read(BpfSourceCompiler.Compile("ArenaDeclaration", CSharpArena).GetObjectOrThrow());
        var clang = ObjectSpec.Load(Variant("arena_twin", """
            struct {
                __uint(type, MAP_TYPE_ARENA);
                __uint(map_flags, BPF_F_MMAPABLE);
                __uint(max_entries, 4);
            } ArenaHeap SEC(".maps");
            SEC("xdp") int ArenaPass(struct xdp_md *ctx) { return bpf_map_lookup_elem(&ArenaHeap, 0) ? XDP_DROP : XDP_PASS; }
            """));
        var a = ours.FindMap("ArenaHeap");
        var b = clang.FindMap("ArenaHeap");
        Assert.NotNull(a);
        Assert.NotNull(b);
        Assert.Equal((b.Type, b.KeySize, b.ValueSize, b.MaxEntries, b.Flags, b.MapExtra, b.Parts, b.KeyTypeId, b.ValueTypeId),
            (a.Type, a.KeySize, a.ValueSize, a.MaxEntries, a.Flags, a.MapExtra, a.Parts, a.KeyTypeId, a.ValueTypeId));
        Assert.Equal(BpfMapType.Arena, a.Type);
        Assert.Same(a, ours.ArenaMap);
        Assert.Null(ours.ArenaData);
    }

    [Fact]
    public void CSharpArenaMapIsCreatedAndMappedWhereTheKernelPutsIt()
    {
        RequireArena();
        var spec = ObjectSpec.Read(BpfSourceCompiler.Compile("ArenaDeclaration", CSharpArena).GetObjectOrThrow());
        var loader = new BpfObjectLoader(spec);
        loader.SetAutoload("ArenaPass", false);
        using var c = loader.Load();
        var arena = c.Arena;
        Assert.NotNull(arena);
        Assert.Equal((ulong)(4 * Environment.SystemPageSize), arena.Length);
        Assert.NotEqual(0ul, arena.Address);
        // The kernel aligns an arena without map_extra so its 32-bit offsets do not wrap (a 4 GiB boundary).
        Assert.Equal(arena.Address >> 32, (arena.Address + arena.Length - 1) >> 32);
        // User space touches a page first: the kernel allocates it (no BPF_F_SEGV_ON_FAULT) and it reads back.
        arena.Span[123] = 0x5a;
        Assert.Equal(0x5a, arena.ReadAt<byte>(arena.Address + 123));
        Assert.False(arena.Contains(arena.Address + arena.Length));
    }

    /// <summary>
    /// The user-space half of an arena where the kernel refuses arenas: <see cref="BpfSharp.Linux.Maps.BpfArena"/>'s
    /// mapping at a fixed address (MAP_FIXED_NOREPLACE), its bounds, pointer reads and the EEXIST it reports when the
    /// address is taken, over a BPF_F_MMAPABLE array of the same size (its value pages map as an arena's do).
    /// </summary>
    [Fact]
    public void ArenaMappingWorksAtAFixedAddressAndRefusesATakenOne()
    {
        KernelObjects.RequireBpf();
        int page = Environment.SystemPageSize;
        using var map = BpfMap.Create(BpfMapType.Array, 4, page, 2, BpfMapFlags.Mmapable, $"arena_mm_{Environment.ProcessId % 100000}");
        // A free, 4 GiB-aligned address well below the 47-bit limit, different per process.
        ulong address = (0x100ul + (ulong)(Environment.ProcessId % 0x7000)) << 32;
        using var arena = BpfSharp.Linux.Maps.BpfArena.Open(map, address, null, -1);
        Assert.Equal(address, arena.Address);
        Assert.Equal((ulong)(2 * page), arena.Length);
        // What user space writes through the mapping is the map's value: the kernel returns it on lookup.
        arena.Span[page + 8] = 0x77;
        BinaryPrimitives.WriteUInt64LittleEndian(arena.GetSpan(16, 8), address + (ulong)page + 8); // an "arena pointer"
        var value = new byte[page];
        Assert.True(map.TryLookup(BitConverter.GetBytes(1), value));
        Assert.Equal(0x77, value[8]);
        Assert.Equal(0x77, arena.ReadAt<byte>(arena.ReadAt<ulong>(address + 16)));
        Assert.True(arena.Contains(address + (ulong)(2 * page) - 1));
        Assert.False(arena.Contains(address + (ulong)(2 * page)));
        Assert.False(arena.Contains(address - 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => arena.ReadAt<ulong>(address + (ulong)(2 * page) - 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => arena.GetSpan((ulong)(2 * page), 1));
        // The same address again: taken, and reported as such rather than replacing the first mapping.
        var e = Assert.Throws<IOException>(() => BpfSharp.Linux.Maps.BpfArena.Open(map, address, null, -1));
        Assert.Contains("EEXIST", e.Message);
        Assert.Contains($"0x{address:x}", e.Message);
        Assert.Equal(0x77, arena.Span[page + 8]);
        arena.Dispose();
        Assert.Throws<ObjectDisposedException>(() => arena.Span.Length);
    }

    // The prefix of the bad-input variants: arena.c's declarations without its map.
    private const string VariantPrologue = """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>
        #define MAP_TYPE_ARENA 33
        #define __arena __attribute__((address_space(1)))
        char _license[] SEC("license") = "GPL";

        """;

    private static string Variant(string name, string body)
    {
        var dir = TestPaths.NewScratchDirectory("arena-variants");
        var source = Path.Combine(dir, name + ".c");
        File.WriteAllText(source, VariantPrologue + body);
        return LoaderObjects.Compile(source, mustCompile: true)!;
    }

    [Fact]
    public void ArenaGlobalsLargerThanTheArenaAreRefusedAtRead()
    {
        var path = Variant("too_small", """
            struct {
                __uint(type, MAP_TYPE_ARENA);
                __uint(map_flags, BPF_F_MMAPABLE);
                __uint(max_entries, 1);
            } arena SEC(".maps");
            char __arena big[8192] = { 1 };
            SEC("syscall") int touch(void *ctx) { return big[100]; }
            """);
        var e = Assert.Throws<BpfFormatException>(() => ObjectSpec.Load(path));
        Assert.Equal(BpfFormatError.ObjectBadData, e.ErrorCode);
        Assert.Equal(".addr_space.1", e.Section);
        Assert.Contains($"declared ARENA map size ({Environment.SystemPageSize}) of map 'arena' is too small to hold global __arena variables of size 8192", e.Message);
    }

    [Fact]
    public void ArenaGlobalsWithoutAnArenaMapAreRefused()
    {
        var path = Variant("no_map", """
            int __arena value = 3;
            SEC("syscall") int touch(void *ctx) { return value; }
            """);
        var e = Assert.Throws<BpfFormatException>(() => ObjectSpec.Load(path));
        Assert.Equal(BpfFormatError.ObjectBadData, e.ErrorCode);
        Assert.Contains("the ARENA map should be explicitly declared in SEC(\".maps\")", e.Message);
    }

    [Fact]
    public void TwoArenaMapsAreRefused()
    {
        var path = Variant("two_maps", """
            struct {
                __uint(type, MAP_TYPE_ARENA);
                __uint(map_flags, BPF_F_MMAPABLE);
                __uint(max_entries, 1);
            } first SEC(".maps"), second SEC(".maps");
            SEC("syscall") int touch(void *ctx) { return 0; }
            """);
        var e = Assert.Throws<BpfFormatException>(() => ObjectSpec.Load(path));
        Assert.Equal(BpfFormatError.ObjectBadMap, e.ErrorCode);
        Assert.Contains("map 'second': only single ARENA map is supported (map 'first' is also ARENA)", e.Message);
    }

    [Fact]
    public void ArenaRelocationOutsideTheSectionIsRefusedNamingIt()
    {
        var spec = Arena();
        var r = spec.References.First(r => r.Kind == InstructionReferenceKind.ArenaData && r.TargetName == "arena_seed");
        var section = spec.Sections[r.SectionIndex];
        var image = spec.Image.ToArray();
        // The ld_imm64's immediate is the addend: point it past the end of .addr_space.1.
        int at = checked((int)section.FileOffset + r.InstructionIndex * 8 + 4);
        BinaryPrimitives.WriteInt32LittleEndian(image.AsSpan(at), (int)spec.ArenaData!.Size + 8);
        var e = Assert.Throws<BpfFormatException>(() => ObjectSpec.Read(image));
        Assert.Equal(BpfFormatError.ElfBadRelocation, e.ErrorCode);
        Assert.Equal(".relsyscall", e.Section);
        Assert.Contains($"arena data relo against 'arena_seed' at insn #{r.InstructionIndex}", e.Message);
        Assert.Contains("is outside '.addr_space.1'", e.Message);
    }

    private static ulong[] Table(BpfSharp.Linux.Maps.BpfArena arena)
    {
        var bytes = arena.GetVariableBytes("arena_table");
        var table = new ulong[4];
        for (int i = 0; i < table.Length; i++) table[i] = BinaryPrimitives.ReadUInt64LittleEndian(bytes[(8 * i)..]);
        return table;
    }

    private static (List<ulong> Values, List<ulong> Nodes) Walk(BpfSharp.Linux.Maps.BpfArena arena, ulong head)
    {
        var values = new List<ulong>();
        var nodes = new List<ulong>();
        for (ulong p = head; p != 0 && nodes.Count < 100; p = arena.ReadAt<ulong>(p))
        {
            Assert.True(arena.Contains(p), $"list pointer 0x{p:x} is outside the arena at 0x{arena.Address:x}");
            nodes.Add(p);
            values.Add(arena.ReadAt<ulong>(p + 8));
        }
        return (values, nodes);
    }

    [GeneratedRegex(@"^\s*\d+:\s+(?<value>[0-9a-f]+)\s+(?<size>\d+)\s+(?<type>\w+)\s+\w+\s+\w+\s+(?<ndx>\w+)\s+(?<name>\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex SymbolLine();

    [GeneratedRegex(@"^\s*(?<off>[0-9a-f]+):\s+R_BPF_64_64\s+(?<sym>\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex RelocationLine();
}
