using BpfSharp.Compiler;
using BpfSharp.Linux;
using BpfSharp.Linux.Links;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.TestPrograms.CoRe;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Compiler;

/// <summary>
/// The access form of a [Relocatable] field follows where the pointer comes from (ProvenancePrograms): the CO-RE
/// records, with the class of the instruction each one sits on (LDX for a direct load, ALU for the offset of a
/// probe-read), equal clang-19's for the C twin (testdata/compiler/provenance.bpf.c), which uses BPF_CORE_READ
/// exactly where the pointer is not a BTF pointer; and in the kernel every program verifies, attaches to
/// tp_btf/sys_enter and reads what /proc says about the calling thread.
/// </summary>
public sealed unsafe class PointerProvenanceTests(ITestOutputHelper output)
{
    private static readonly Lazy<string> ClangObject = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "bpfsharp-compiler-provenance-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "provenance.o");
        ExternalTool.RunChecked("clang-19", "-O2", "-g", "-target", "bpf", "-I", ExternalTool.MultiarchIncludeDirectory,
            "-c", Path.Combine(TestPaths.TestData, "compiler", "provenance.bpf.c"), "-o", path);
        return path;
    });

    public static TheoryData<string> Programs => new()
    {
        "ProvenanceFromMap", "ProvenanceFromProbeRead", "ProvenanceVariableIndex", "ProvenanceMerge", "ProvenanceWalk",
    };

    [Theory]
    [MemberData(nameof(Programs))]
    public void AccessForms_AgreeWithClang(string program)
    {
        var clang = CoReCompilerTests.Records(ClangObject.Value, program);
        var ours = CoReCompilerTests.Records(CompiledTestPrograms.ObjectPath, program);
        output.WriteLine(string.Join("\n", ours));
        Assert.NotEmpty(ours);
        Assert.Equal(string.Join("\n", clang), string.Join("\n", ours));
    }

    [Fact]
    public void UntrustedPointers_AreProbeRead_TrustedOnesLoadedDirectly()
    {
        // The forms the records encode, spelled out: a probe-read's offset is an ALU move, a direct read an LDX.
        var fromMap = CoReCompilerTests.Records(CompiledTestPrograms.ObjectPath, "ProvenanceFromMap");
        Assert.All(fromMap, r => Assert.DoesNotContain(" Ldx", r));
        var walk = CoReCompilerTests.Records(CompiledTestPrograms.ObjectPath, "ProvenanceWalk");
        Assert.All(walk, r => Assert.EndsWith(" Ldx", r));
    }

    [Fact]
    public void InTheKernel_EveryProgramVerifiesAndReadsWhatProcSays()
    {
        KernelObjects.RequireBpf();
        using var collection = BpfCollection.Load(ObjectSpec.Load(CompiledTestPrograms.ObjectPath));
        var config = collection.Maps["ProvenanceConfig"];
        const uint commIndex = 3;
        config.Update(1u, commIndex); // odd: the merge takes the map value's path
        int tid = 0;
        string comm = "";
        var thread = new Thread(() =>
        {
            tid = NativeThread.Id();
            comm = File.ReadAllText($"/proc/self/task/{tid}/comm").TrimEnd('\n');
            config.Update(0u, (uint)tid);
            var links = new List<BpfLink>();
            try
            {
                foreach (var name in Programs)
                {
                    links.Add(SectionAttach.Attach(collection.Programs[name], "tp_btf/sys_enter"));
                }

                _ = File.Exists("/proc/self/stat"); // a syscall on this thread
            }
            finally
            {
                foreach (var link in links)
                {
                    link.Dispose();
                }
            }
        }) { Name = "provenance-t" };
        thread.Start();
        thread.Join();

        var parent = ParentOf(Environment.ProcessId);
        var grandparent = ParentOf(parent);
        var results = collection.Maps["ProvenanceResults"];
        ProvenanceInfo Slot(uint i) => results.TryLookup(i, out ProvenanceInfo info) ? info : throw new InvalidOperationException($"no slot {i}");

        Assert.Equal(tid, Slot(0).Pid);
        Assert.Equal(parent, Slot(0).ParentTgid);
        Assert.Equal(tid, Slot(1).Pid);
        Assert.Equal(parent, Slot(1).ParentTgid);
        Assert.Equal(tid, Slot(2).Pid);
        Assert.Equal((int)(byte)comm[(int)commIndex], Slot(2).CommChar);
        Assert.Equal(tid, Slot(3).Pid);
        Assert.Equal(tid, Slot(4).Pid);
        Assert.Equal(grandparent, Slot(4).GrandparentTgid);
    }

    [Fact]
    public void StoreThroughAnUntrustedPointer_IsAnError()
    {
        var compilation = BpfCompiler.Compile(DiagnosticProgramsPath(),
            new BpfCompilerOptions { ProgramFilter = name => name == "BpfSharp.DiagnosticPrograms.UntrustedKernelStore.Run" });
        var error = Assert.Single(compilation.Diagnostics, d => d.IsError);
        Assert.Equal(DiagnosticIds.UntrustedKernelStore, error.Id);
        Assert.EndsWith("UntrustedKernelStore.cs", error.Location.File);
        Assert.Contains("trusts", error.Message);
    }

    private static string DiagnosticProgramsPath() => Path.Combine(AppContext.BaseDirectory, "BpfSharp.DiagnosticPrograms.dll");

    private static int ParentOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
    }
}
