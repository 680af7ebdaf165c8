using BpfSharp.Compiler;
using BpfSharp.Linux;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Runtime;

namespace BpfSharp.Tests.CompilerIntegration;

/// <summary>
/// The tracing program attributes compiled from C#: each lands in libbpf's section with libbpf's program type and
/// expected attach type, and a <c>[UprobeMulti]</c> program auto-attaches from its section and counts in the kernel.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class TracingAttributeTests
{
    private static string Source(string binary) => $$"""
        using BpfSharp.Kernel;

        [assembly: License("GPL")]

        public static unsafe class Tracing
        {
            static readonly ArrayMap<long> Hits = new(maxEntries: 2);

            [UprobeMulti("{{binary}}:bpfsharp_multi_*")]
            public static int Entry(PtRegs* ctx)
            {
                long* slot = Hits.Lookup(0);
                if (slot != null) *slot += 1;
                return 0;
            }

            [UretprobeMulti("{{binary}}:bpfsharp_multi_t*")]
            public static int Exit(PtRegs* ctx)
            {
                long* slot = Hits.Lookup(1);
                if (slot != null) *slot += 1;
                return 0;
            }

            [KprobeMulti("__x64_sys_getp*")]
            public static int Many(PtRegs* ctx) => 0;

            [KretprobeMulti("__x64_sys_getp*")]
            public static int ManyReturns(PtRegs* ctx) => 0;

            [Lsm("file_open")]
            public static int Open(void* ctx) => 0;

            [FmodRet("bpf_modify_return_test")]
            public static int Modify(void* ctx) => 0;

            [Freplace("handler")]
            public static int Replace(void* ctx) => 0;
        }
        """;

    [Fact]
    public void TracingAttributesCompileToLibbpfSectionsAndUprobeMultiCounts()
    {
        var dir = TestPaths.NewScratchDirectory("tracing_attrs");
        var project = (TinyBpfProject?)null;
        try
        {
            var binary = Path.Combine(dir, "multi_target");
            AttachTestKit.Run("gcc", "-O1", "-g", "-o", binary, Path.Combine(TestPaths.TestData, "runtime", "multi_target.c"));
            project = TinyBpfProject.Create("tracing-attrs", ("Tracing.cs", Source(binary)));
            var (code, output) = project.Build();
            Assert.True(code == 0, output);
            var compiled = BpfCompiler.Compile(project.AssemblyPath);
            Assert.True(compiled.Success, string.Join("\n", compiled.Diagnostics));
            var spec = ObjectSpec.Read(compiled.Object!, "tracing.bpf.o");
            var sections = spec.Programs.Where(p => !p.IsSubprogram).ToDictionary(p => p.Name, p => p.SectionName);
            Assert.Equal($"uprobe.multi/{binary}:bpfsharp_multi_*", sections["Entry"]);
            Assert.Equal($"uretprobe.multi/{binary}:bpfsharp_multi_t*", sections["Exit"]);
            Assert.Equal("kprobe.multi/__x64_sys_getp*", sections["Many"]);
            Assert.Equal("kretprobe.multi/__x64_sys_getp*", sections["ManyReturns"]);
            Assert.Equal("lsm/file_open", sections["Open"]);
            Assert.Equal("fmod_ret/bpf_modify_return_test", sections["Modify"]);
            Assert.Equal("freplace/handler", sections["Replace"]);
            // The program types and expected attach types libbpf's section table gives those names.
            Assert.Equal((BpfProgramType.Kprobe, (BpfAttachType?)BpfAttachType.TraceUprobeMulti), Row(sections["Entry"]));
            Assert.Equal((BpfProgramType.Kprobe, (BpfAttachType?)BpfAttachType.TraceKprobeMulti), Row(sections["ManyReturns"]));
            Assert.Equal((BpfProgramType.Lsm, (BpfAttachType?)BpfAttachType.LsmMac), Row(sections["Open"]));
            Assert.Equal((BpfProgramType.Tracing, (BpfAttachType?)BpfAttachType.ModifyReturn), Row(sections["Modify"]));
            Assert.Equal(BpfProgramType.Ext, Row(sections["Replace"]).Type);

            // In the kernel: only the uprobe.multi pair (the others need fprobe, BPF LSM, fmod_ret or a target program).
            KernelObjects.RequireBpf();
            using var obj = BpfObject.Open(spec);
            foreach (var name in new[] { "Many", "ManyReturns", "Open", "Modify", "Replace" }) obj.SetAutoload(name, false);
            obj.Load();
            using (obj.AttachAll())
                Assert.Contains("rounds=3", AttachTestKit.Run(binary, "3"));
            AttachTestKit.Run(binary, "1");
            var hits = obj.Map("Hits");
            long Read(uint i) => hits.TryLookup(i, out long v) ? v : -1;
            Assert.Equal(18, Read(0)); // 3 rounds x (1 + 2 + 3) calls
            Assert.Equal(15, Read(1)); // returns of bpfsharp_multi_two and _three: 3 x (2 + 3)
        }
        finally
        {
            if (project is not null) Directory.Delete(project.ProjectDirectory, recursive: true);
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (BpfProgramType Type, BpfAttachType? Attach) Row(string section)
    {
        var row = ProgramSectionTable.Find(section) ?? throw new InvalidOperationException($"no section row for {section}");
        return (row.ProgramType, row.ExpectedAttachType);
    }
}
