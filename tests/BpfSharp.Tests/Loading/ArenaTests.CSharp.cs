using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.CompilerIntegration;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Loading;

/// <summary>
/// Arena code written in C#: pages from <see cref="BpfSharp.Kernel.ArenaMap"/>.AllocPages (the weak kfunc
/// bpf_arena_alloc_pages, as libbpf's bpf_arena_common.h declares it) and pointers converted with Arena.ToKernel /
/// ToUser (addr_space_cast). Its C twin is testdata/twins/arena_list.bpf.c.
/// </summary>
public sealed partial class ArenaTests
{
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
        var text = string.Join("\n", spec.Programs.SelectMany(p => p.Instructions.ToArray()).Select(i => i.ToString()));
        Assert.Equal(
            System.Text.RegularExpressions.Regex.Matches(ourCode, @"addr_space_cast\([^)]*\)").Select(m => m.Value),
            System.Text.RegularExpressions.Regex.Matches(text, @"addr_space_cast\([^)]*\)").Select(m => m.Value));

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
