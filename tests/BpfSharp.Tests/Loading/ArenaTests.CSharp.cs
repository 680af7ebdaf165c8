using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.CompilerIntegration;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Loading;

/// <summary>
/// Arena code written in C#: pages from <see cref="BpfSharp.Kernel.ArenaMap"/>.AllocPages (the weak kfunc
/// bpf_arena_alloc_pages, as libbpf's bpf_arena_common.h declares it), pointers converted with Arena.ToKernel /
/// ToUser (addr_space_cast), and [ArenaGlobal] fields (clang's __arena globals). The C twins are
/// testdata/twins/arena_list.bpf.c and testdata/loader/arena.c.
/// </summary>
public sealed partial class ArenaTests
{
    /// <summary>The C# twin of testdata/loader/arena.c.</summary>
    private const string CSharpArenaGlobals = """
        using BpfSharp.Kernel;

        [assembly: License("GPL")]

        public unsafe struct ListNode
        {
            public ListNode* next;
            public ulong value;
        }

        public struct Table
        {
            public ulong e0, e1, e2, e3;
        }

        public static unsafe class ArenaGlobals
        {
            static readonly ArenaMap arena = new(pages: 8, address: 1ul << 44);
            static ListNode* list_head;
            [ArenaGlobal] static ulong arena_counter;
            [ArenaGlobal] static uint arena_seed = 7;
            [ArenaGlobal] static Table arena_table;
            static uint node_count = 5;
            static ulong seed_seen;
            static ulong alloc_failed;

            // A struct field has no initialiser list: the static constructor's stores are its initial value.
            static ArenaGlobals()
            {
                arena_table.e0 = 11;
                arena_table.e1 = 22;
                arena_table.e2 = 33;
                arena_table.e3 = 44;
            }

            [SyscallProgram]
            public static int build_list(void* ctx)
            {
                ListNode* page = (ListNode*)arena.AllocPages(1);
                if (page == null)
                {
                    alloc_failed = 1;
                    return 1;
                }

                seed_seen = arena_seed;
                for (uint i = 0; i < node_count && i < 32; i++)
                {
                    ListNode* n = Arena.ToKernel(&page[i]);
                    n->value = (ulong)(i + 1) * (i + 1) + arena_seed;
                    n->next = list_head;
                    list_head = Arena.ToUser(n);
                    arena_counter += n->value;
                }

                arena_table.e2 += arena_counter;
                return 0;
            }
        }
        """;

    private static ObjectSpec CSharpArenaGlobalsSpec() =>
        ObjectSpec.Read(BpfSourceCompiler.Compile("ArenaGlobals", CSharpArenaGlobals).GetObjectOrThrow(), "arena_cs.bpf.o");

    [Fact]
    public void CSharpArenaGlobalsAreWhereClangPutsThem()
    {
        var clang = Arena();
        var ours = CSharpArenaGlobalsSpec();
        // The arena map (with its map_extra address) and the other maps: as the loader reads clang's.
        Assert.Equal(MapOfMapsTests.Definitions(clang), MapOfMapsTests.Definitions(ours));
        Assert.Equal(ArenaAddress, ours.ArenaMap!.MapExtra);
        // The __arena globals: the same names, sizes and initial bytes in .addr_space.1.
        Assert.Equal(ArenaVariables(clang), ArenaVariables(ours));
        // Every access loads the variable's address (ld_imm64 relocated into .addr_space.1, which the loader turns into
        // the arena's user address) and casts it to the kernel form right after, in clang's object as in ours.
        foreach (var spec in new[] { clang, ours })
        {
            var vars = spec.ArenaData!.Variables.ToDictionary(v => v.Name);
            var references = spec.References.Where(r => r.Kind == InstructionReferenceKind.ArenaData).ToList();
            Assert.NotEmpty(references);
            var code = spec.Programs.Single(p => p.Name == "build_list").Instructions;
            foreach (var r in references)
            {
                Assert.Same(spec.ArenaMap, r.Map);
                // clang relocates against the variable's symbol, we against the section's (the offset in the
                // instruction, as for other globals): both must land inside a variable, the named one if named.
                var target = vars.Values.Single(v => r.DataOffset >= (long)v.Offset && r.DataOffset < (long)(v.Offset + v.Size));
                Assert.True(r.TargetName == ".addr_space.1" || r.TargetName == target.Name, $"{r.TargetName} at {r.DataOffset} is in {target.Name}");
                // Within the next few instructions (clang may first add a constant offset in place).
                var loaded = code.Span[r.InstructionIndex].Destination;
                var following = Enumerable.Range(r.InstructionIndex + 2, 3).Where(i => i < code.Length)
                    .Select(i => BpfSharp.Instructions.InstructionFormatter.Format(code.Span[i..]));
                Assert.Contains(following, f => System.Text.RegularExpressions.Regex.IsMatch(f, $@"^r\d+ = addr_space_cast\(r{loaded}, 0x0, 0x1\)$"));
            }
        }
    }

    [Fact]
    public void ArenaGlobalsAreObjectVariablesAsSkeletonsReachThem()
    {
        // Before load (all a kernel without arenas allows): read and written in the image the arena is filled from.
        using var obj = BpfObject.Open(CSharpArenaGlobalsSpec());
        Assert.Equal(7u, obj.Variable<uint>("arena_seed").Value);
        Assert.Equal(33ul, obj.Variable<Table4>("arena_table").Value.E2);
        obj.Variable<uint>("arena_seed").Value = 9;
        Assert.Equal(9u, obj.Variable<uint>("arena_seed").Value);
        Assert.Throws<KeyNotFoundException>(() => obj.Variable<uint>("no_such_arena_global"));
    }

    private readonly record struct Table4(ulong E0, ulong E1, ulong E2, ulong E3);

    [Theory]
    [InlineData("static readonly ArenaMap arena = new(pages: 8, address: 1ul << 44);", "", "declares no ArenaMap")]
    [InlineData("[ArenaGlobal] static uint arena_seed = 7;", "[ArenaGlobal] static readonly uint arena_seed = 7;", "is readonly")]
    public void ArenaGlobalsThatCannotWorkAreCompileErrors(string replace, string with, string expected)
    {
        Assert.Contains(replace, CSharpArenaGlobals);
        var compiled = BpfSourceCompiler.Compile("BadArenaGlobals", CSharpArenaGlobals.Replace(replace, with)
            .Replace("ListNode* page = (ListNode*)arena.AllocPages(1);", "ListNode* page = null;"));
        Assert.False(compiled.Success);
        var error = Assert.Single(compiled.Diagnostics, d => d.IsError);
        Assert.Contains(expected, error.Message);
        Assert.Contains("arena_", error.Message);
    }

    /// <summary>The arena globals by name: size and initial bytes.</summary>
    private static List<string> ArenaVariables(ObjectSpec spec)
    {
        var data = spec.ArenaData!;
        return [.. data.Variables.OrderBy(v => v.Name, StringComparer.Ordinal)
            .Select(v => $"{v.Name}: {v.Size} bytes {Convert.ToHexString(data.InitialData.Span.Slice((int)v.Offset, (int)v.Size))}")];
    }

    private const string CSharpArenaList = """
        using BpfSharp.Kernel;

        [assembly: License("GPL")]

        public unsafe struct Node
        {
            public Node* next;
            public ulong value;
        }

        public static unsafe class ArenaList
        {
            static readonly ArenaMap arena = new(pages: 8);
            static Node* list_head;
            static uint node_count = 5;
            static ulong alloc_failed;
            static ulong counter;

            [BpfProgram("syscall")]
            public static int build_list(void* ctx)
            {
                Node* page = (Node*)arena.AllocPages(1);
                if (page == null)
                {
                    alloc_failed = 1;
                    return 1;
                }

                for (uint i = 0; i < node_count && i < 32; i++)
                {
                    Node* n = Arena.ToKernel(&page[i]);
                    n->value = (ulong)(i + 1) * (i + 1);
                    n->next = list_head;
                    list_head = Arena.ToUser(n);
                    counter += n->value;
                }

                return 0;
            }

            [BpfProgram("syscall")]
            public static int free_list(void* ctx)
            {
                if (list_head != null)
                {
                    arena.FreePages(list_head, 1);
                }

                return 0;
            }
        }
        """;

    private static readonly Lazy<byte[]> CSharpArenaListObject = new(() => BpfSourceCompiler.Compile("ArenaList", CSharpArenaList).GetObjectOrThrow());

    private static string ArenaListTwin => LoaderObjects.Compile(Path.Combine(TestPaths.TestData, "twins", "arena_list.bpf.c"), mustCompile: true)!;

    [Fact]
    public void CSharpArenaCodeDeclaresAndCallsWhatClangDoes()
    {
        var ours = Path.Combine(TestPaths.NewScratchDirectory("cs_arena"), "arena_list_cs.bpf.o");
        File.WriteAllBytes(ours, CSharpArenaListObject.Value);
        // The kfuncs: weak undefined symbols, extern FUNCs in .ksyms with clang's prototypes, the same calls.
        Assert.Equal(KfuncTests.Declarations(ArenaListTwin), KfuncTests.Declarations(ours));
        Assert.Equal(KfuncTests.KfuncCalls(ArenaListTwin), KfuncTests.KfuncCalls(ours));
        Assert.Equal(MapOfMapsTests.Definitions(ObjectSpec.Load(ArenaListTwin)), MapOfMapsTests.Definitions(ObjectSpec.Load(ours)));

        // llvm decodes our casts as the addr_space_cast it writes for the twin: to the kernel form before the
        // stores, and (for ToUser) back.
        var ourCode = ExternalTool.RunText("llvm-objdump-19", "-d", ours);
        var clangCode = ExternalTool.RunText("llvm-objdump-19", "-d", ArenaListTwin);
        Assert.Matches(@"r\d+ = addr_space_cast\(r\d+, 0x0, 0x1\)", clangCode);
        Assert.Matches(@"r\d+ = addr_space_cast\(r\d+, 0x0, 0x1\)", ourCode);
        Assert.Matches(@"r\d+ = addr_space_cast\(r\d+, 0x1, 0x0\)", ourCode);

        // Our disassembler agrees with llvm's on every cast.
        var spec = ObjectSpec.Load(ours);
        var text = new System.Text.StringBuilder();
        foreach (var p in spec.Programs)
        {
            for (var at = 0; at < p.Instructions.Length; text.Append('\n'))
            {
                at += BpfSharp.Instructions.InstructionFormatter.Format(p.Instructions.Span[at..], text);
            }
        }

        Assert.Equal(
            System.Text.RegularExpressions.Regex.Matches(ourCode, @"addr_space_cast\([^)]*\)").Select(m => m.Value),
            System.Text.RegularExpressions.Regex.Matches(text.ToString(), @"addr_space_cast\([^)]*\)").Select(m => m.Value));

        // libbpf opens it (externs, the arena map, the relocations).
        Assert.Contains("struct arena_list_cs_bpf", ExternalTool.RunText("bpftool", "gen", "skeleton", ours));
    }

    [Fact]
    public void CSharpArenaListIsBuiltAsTheCTwinBuildsIt()
    {
        RequireArena();
        var fromC = BuildList(ObjectSpec.Load(ArenaListTwin));
        var fromCSharp = BuildList(ObjectSpec.Read(CSharpArenaListObject.Value, "arena_list_cs.bpf.o"));
        Assert.Equal([25ul, 16, 9, 4, 1], fromCSharp);
        Assert.Equal(fromC, fromCSharp);
    }

    /// <summary>Runs build_list, walks the list through the mapping, frees the page.</summary>
    private static List<ulong> BuildList(ObjectSpec spec)
    {
        using var c = new BpfObjectLoader(spec).Load();
        var arena = c.Arena;
        Assert.NotNull(arena);
        Assert.Equal(0u, c.Programs["build_list"].TestRun([]).ReturnValue);
        Assert.Equal(0ul, c.ReadVariable<ulong>("alloc_failed"));
        var (values, _) = Walk(arena, c.ReadVariable<ulong>("list_head"));
        Assert.Equal(values.Aggregate(0ul, (a, b) => a + b), c.ReadVariable<ulong>("counter"));
        Assert.Equal(0u, c.Programs["free_list"].TestRun([]).ReturnValue);
        return values;
    }
}
