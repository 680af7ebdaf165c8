using System.Text.RegularExpressions;
using BpfSharp.Btf;
using BpfSharp.Linux;
using BpfSharp.Linux.Inspection;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Loading;
using BpfSharp.Tests.Objects;

namespace BpfSharp.Tests.CompilerIntegration;

/// <summary>
/// Kernel functions called from C# (<c>[Kfunc]</c>): the object declares them as clang declares <c>extern … __ksym</c>
/// (testdata/twins/task_kfuncs.bpf.c: undefined symbols, extern FUNCs in <c>.ksyms</c>, <c>call -1</c> with
/// R_BPF_64_32), libbpf (bpftool) and our loader resolve them against the running kernel's BTF, and the kernel runs
/// them: bpf_task_from_pid finds this process, its fields are read through the trusted pointer with direct loads,
/// bpf_task_release releases it. A weak kfunc no kernel has loads and stays uncalled.
/// </summary>
public sealed partial class KfuncTests(ITestOutputHelper output)
{
    private const string Source = """
        using BpfSharp.Kernel;

        [assembly: License("GPL")]

        [Relocatable("task_struct")]
        public struct TaskStruct
        {
            public int pid;
            public int tgid;
        }

        public static unsafe class TaskKfuncs
        {
            [Kfunc("bpf_task_from_pid")] static extern TaskStruct* TaskFromPid(int pid);
            [Kfunc("bpf_task_release")] static extern void TaskRelease(TaskStruct* task);
            [Kfunc("bpf_bpfsharp_absent", Weak = true)] static extern void Absent();

            static readonly bool call_absent;
            static int target_pid;
            static long seen_tgid;
            static long seen_pid;

            [BpfProgram("syscall")]
            public static int find_task(void* ctx)
            {
                if (call_absent)
                {
                    Absent();
                }

                TaskStruct* t = TaskFromPid(target_pid);
                if (t == null)
                {
                    return 1;
                }

                seen_tgid = t->tgid;
                seen_pid = t->pid;
                TaskRelease(t);
                return 0;
            }
        }
        """;

    private static readonly Lazy<byte[]> CSharpObject = new(() =>
    {
        var compiled = BpfSourceCompiler.Compile("TaskKfuncs", Source);
        Assert.True(compiled.Success, string.Join("\n", compiled.Diagnostics));
        return compiled.Object!;
    });

    private static string CObjectPath => LoaderObjects.Compile(Path.Combine(TestPaths.TestData, "twins", "task_kfuncs.bpf.c"), mustCompile: true)!;

    private static string CSharpObjectPath() => ExternObjects.WriteScratch(CSharpObject.Value, "kfuncs", "task_kfuncs_cs.bpf.o");

    [Fact]
    public void KfuncDeclarationsAreClangs()
    {
        var ours = CSharpObjectPath();
        Assert.Equal(Declarations(CObjectPath), Declarations(ours));
        Assert.Equal(KfuncCalls(CObjectPath), KfuncCalls(ours));
        // The trusted pointer from bpf_task_from_pid is read with direct loads, as clang reads it: no probe-read.
        Assert.DoesNotContain("call 0x71", ExternalTool.RunText("llvm-objdump-19", "-d", ours));
        // libbpf collects the externs (and would refuse a malformed .ksyms or kfunc relocation).
        Assert.Contains("struct task_kfuncs_cs_bpf", ExternalTool.RunText("bpftool", "gen", "skeleton", ours));
    }

    [Fact]
    public void TheKernelRunsTheKfuncsFromCSharpAsFromC()
    {
        KernelObjects.RequireBpf();
        var fromC = Run(ObjectSpec.Load(CObjectPath), "C");
        var fromCSharp = Run(ObjectSpec.Read(CSharpObject.Value, "task_kfuncs_cs.bpf.o"), "C#");
        Assert.Equal(fromC.Results, fromCSharp.Results);
        output.WriteLine($"verifier-processed instructions: C# {fromCSharp.Verified}, clang {fromC.Verified}");
    }

    /// <summary>Loads an object with our loader, runs find_task for this process and for a pid no process has.</summary>
    private (string Results, uint Verified) Run(ObjectSpec spec, string label)
    {
        using var c = new BpfObjectLoader(spec).Load();
        var program = c.Programs["find_task"];
        // The kfunc calls are resolved to the running kernel's BTF ids (src_reg 2, BPF_PSEUDO_KFUNC_CALL).
        var xlated = KernelObjects.Bpftool("prog", "dump", "xlated", "id", program.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Matches(@"call bpf_task_from_pid#\d+", xlated);
        Assert.Matches(@"call bpf_task_release#\d+", xlated);

        c.WriteVariable("target_pid", Environment.ProcessId);
        Assert.Equal(0u, program.TestRun([]).ReturnValue);
        var found = (c.ReadVariable<long>("seen_tgid"), c.ReadVariable<long>("seen_pid"));
        Assert.Equal((Environment.ProcessId, Environment.ProcessId), found);

        var absentPid = AbsentPid();
        c.WriteVariable("target_pid", absentPid);
        c.WriteVariable("seen_pid", 0L);
        Assert.Equal(1u, program.TestRun([]).ReturnValue);
        Assert.Equal(0L, c.ReadVariable<long>("seen_pid"));
        var verified = BpfProgramInfo.Read(program.FileDescriptor).VerifiedInstructions;
        output.WriteLine($"{label}: pid {Environment.ProcessId} found as tgid {found.Item1}, pid {absentPid} not found");
        return ($"found {found}, absent returns 1", verified);
    }

    /// <summary>A pid above every live one (pid_max bounds pids).</summary>
    private static int AbsentPid() => int.Parse(File.ReadAllText("/proc/sys/kernel/pid_max").Trim(), System.Globalization.CultureInfo.InvariantCulture) + 1;

    [Fact]
    public void BpftoolLoadsTheCSharpObjectWithItsKfuncsResolved()
    {
        KernelObjects.RequireBpf();
        ExternObjects.BpftoolLoadAll(CSharpObjectPath(), "kfuncs", "find_task");
    }

    [Fact]
    public void AMissingStrongKfuncIsReportedByName()
    {
        KernelObjects.RequireBpf();
        var compiled = BpfSourceCompiler.Compile("MissingKfunc", Source.Replace("[Kfunc(\"bpf_bpfsharp_absent\", Weak = true)]", "[Kfunc(\"bpf_bpfsharp_absent\")]"));
        var spec = ObjectSpec.Read(compiled.GetObjectOrThrow(), "missing_kfunc.bpf.o");
        var error = Assert.Throws<BpfLoadException>(() => new BpfObjectLoader(spec).Load().Dispose());
        Assert.Contains("bpf_bpfsharp_absent", error.Message);
        output.WriteLine(error.Message);
    }

    [Theory]
    [InlineData("[Kfunc(\"bpf_task_release\")]", "[Kfunc(\"bpf task release\")]", "is not a C identifier")]
    [InlineData("[Kfunc(\"bpf_task_release\")]", "[Kfunc(\"seen_pid\")]", "the same name as")]
    public void KfuncNamesTheKernelCannotFindAreCompileErrors(string replace, string with, string expected)
    {
        Assert.Contains(replace, Source);
        var compiled = BpfSourceCompiler.Compile("BadKfuncName", Source.Replace(replace, with));
        Assert.False(compiled.Success);
        Assert.Contains(compiled.Diagnostics, d => d.IsError && d.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void ConflictingDeclarationsOfOneKfuncAreACompileError()
    {
        var source = Source.Replace("static extern void Absent();", "static extern void Absent();\n    [Kfunc(\"bpf_task_release\")] static extern void Release2(void* task);")
            .Replace("TaskRelease(t);", "TaskRelease(t); Release2(null);");
        var compiled = BpfSourceCompiler.Compile("ConflictingKfunc", source);
        Assert.False(compiled.Success);
        Assert.Contains(compiled.Diagnostics, d => d.Message.Contains("kfunc 'bpf_task_release' is declared twice", StringComparison.Ordinal));
    }

    /// <summary>
    /// What an object says of its kfuncs, as the ELF symbol table (llvm-readelf) and BTF show it: each undefined
    /// symbol's type and binding, each extern FUNC's prototype with typedefs resolved (clang's __u32 is our
    /// unsigned int) and unnamed parameters, and the .ksyms DATASEC's entries.
    /// </summary>
    internal static List<string> Declarations(string path) => ExternObjects.Declarations(path, ".ksyms", (btf, entry) =>
    {
        var func = btf[entry.TypeId];
        var proto = btf[func.ReferencedTypeId];
        var parameters = Enumerable.Range(0, proto.Vlen).Select(p => proto.GetParam(p))
            .Select(p => $"{(p.Name.Length == 0 ? "_" : p.Name)}: {MapOfMapsTests.Shape(btf, p.TypeId, 0)}");
        return $"ksyms +{entry.Offset} size {entry.Size}: {func.Kind} {func.Name} {func.Linkage} ({string.Join(", ", parameters)}) -> {MapOfMapsTests.Shape(btf, proto.ReferencedTypeId, 0)}";
    });

    /// <summary>Every call relocated against a kfunc, per program, as llvm-objdump -dr shows it: the instruction's
    /// encoding (call -1, src_reg 1) and the relocation.</summary>
    internal static List<string> KfuncCalls(string path)
    {
        var calls = new List<string>();
        var lines = ExternalTool.RunText("llvm-objdump-19", "-dr", path).Split('\n');
        var function = "";
        for (var i = 0; i + 1 < lines.Length; i++)
        {
            if (FunctionLabel().Match(lines[i]) is { Success: true } f)
            {
                function = f.Groups[1].Value;
            }
            else if (CallLine().Match(lines[i]) is { Success: true } call && KfuncRelocation().Match(lines[i + 1]) is { Success: true } r)
            {
                calls.Add($"{function}: {call.Groups[1].Value.Trim()} {r.Groups[1].Value}");
            }
        }

        Assert.NotEmpty(calls);
        return calls;
    }

    [GeneratedRegex(@"^[0-9a-f]+ <(\w+)>:")]
    private static partial Regex FunctionLabel();

    [GeneratedRegex(@"^\s*\d+:\s+((?:[0-9a-f]{2}\s){8})\s*call -0x1$")]
    private static partial Regex CallLine();

    [GeneratedRegex(@"R_BPF_64_32\s+(bpf_\w+)$")]
    private static partial Regex KfuncRelocation();
}
