using BpfSharp.CoRe;
using BpfSharp.Linux;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.TestPrograms.CoRe;
using BpfSharp.Tests.CoRe;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Compiler;

/// <summary>
/// [Relocatable] types and the Core intrinsics, checked three ways: the CO-RE records agree with clang's for the
/// C twin (testdata/compiler/core_programs.bpf.c); libbpf and BpfSharp relocate the C# object identically against
/// the running kernel and every kernel blob; and in the kernel the program reads what /proc says.
/// </summary>
public sealed unsafe class CoReCompilerTests
{
    private static readonly Lazy<string> ClangObject = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "bpfsharp-compiler-core-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        var output = Path.Combine(dir, "core_programs.o");
        ExternalTool.RunChecked("clang-19", "-O2", "-g", "-target", "bpf", "-I", ExternalTool.MultiarchIncludeDirectory,
            "-c", Path.Combine(TestPaths.TestData, "compiler", "core_programs.bpf.c"), "-o", output);
        return output;
    });

    /// <summary>Distinct (kind, root type, access string, instruction class) per program.</summary>
    internal static SortedSet<string> Records(string path, string program)
    {
        var spec = ObjectSpec.Load(path);
        var prog = spec.Programs.Single(p => p.Name == program);
        var btf = spec.Btf!;
        var result = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var section in spec.BtfExt!.CoReRelocations.Where(s => s.Name == prog.SectionName))
        foreach (var r in section.Records.ToArray())
        {
            var slot = (int)(r.InstructionByteOffset / 8) - prog.InstructionOffset;
            if (slot < 0 || slot >= prog.InstructionCount)
            {
                continue; // another program in the same section
            }

            var insn = prog.Instructions.Span[slot];
            var root = btf[r.TypeId];
            result.Add($"{r.Kind} {root.Kind} {root.Name} {btf.GetString(r.AccessStringOffset)} {insn.Class}");
        }

        return result;
    }

    [Theory]
    [InlineData("ReadTask")]
    [InlineData("ReadTaskDirect")]
    [InlineData("ReadSkb")]
    [InlineData("ReadParent")]
    public void RelocationRecords_AgreeWithClang(string program)
    {
        var clang = Records(ClangObject.Value, program);
        var ours = Records(CompiledTestPrograms.ObjectPath, program);
        Assert.NotEmpty(ours);
        Assert.Equal(string.Join("\n", clang), string.Join("\n", ours));
    }

    [Theory]
    [MemberData(nameof(CoReKernelObjectTests.Targets), MemberType = typeof(CoReKernelObjectTests))]
    public void CSharpObject_RelocatesLikeLibbpf(string target)
    {
        var vmlinux = target == "running" ? TestPaths.Vmlinux : CoReTestKit.RawKernelBlob(target);
        var result = CoReTestKit.AssertSameAsLibbpf(CompiledTestPrograms.ObjectPath, ("vmlinux", vmlinux, null));
        Assert.Contains(result.Result.Relocations, r => r.Outcome == CoReOutcome.Patched);
    }

    [Fact]
    public void ReadTask_InTheKernel_ReadsWhatProcSays()
    {
        KernelObjects.RequireBpf();
        using var collection = BpfCollection.Load(ObjectSpec.Load(CompiledTestPrograms.ObjectPath));
        var results = collection.Maps["Results"];
        int tid = 0;
        string comm = "", stat = "";
        var thread = new Thread(() =>
        {
            tid = NativeThread.Id();
            collection.Programs["ReadTask"].TestRun(default, repeat: 0, contextIn: new byte[16]);
            comm = File.ReadAllText($"/proc/self/task/{tid}/comm").TrimEnd('\n');
            stat = File.ReadAllText($"/proc/self/task/{tid}/stat");
        });
        thread.Start();
        thread.Join();

        Assert.True(results.TryLookup(0u, out TaskInfo info));
        Assert.Equal(tid, info.Pid);
        Assert.Equal(Environment.ProcessId, info.Tgid);
        Assert.Equal(ParentPid(), info.ParentTgid);
        var bytes = new ReadOnlySpan<byte>(info.Comm, 16);
        Assert.Equal(comm, System.Text.Encoding.UTF8.GetString(bytes[..bytes.IndexOf((byte)0)]));

        // start_time is CLOCK_MONOTONIC ns; /proc's starttime is the same clock in clock ticks (USER_HZ = 100).
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var startTicks = ulong.Parse(fields[19]);
        Assert.InRange((long)(info.StartTime / 10_000_000) - (long)startTicks, -1, 1);

        // 6.18 renamed state to __state; enum and type relocations use the kernel's values.
        Assert.Equal(0, info.OldStateExists);
        Assert.Equal(1, info.NewStateExists);
        Assert.Equal(0, info.NoSuchTypeExists);
        Assert.Equal(1, info.PidTypeTgid);
        var kernel = BpfSharp.Btf.BtfSpec.Load(TestPaths.Vmlinux);
        var task = kernel[kernel.FindByName("task_struct", BpfSharp.Btf.BtfKind.Struct)];
        Assert.Equal(task.Size, info.TaskSize);
        var pidOffset = 0u;
        for (var i = 0; i < task.Vlen; i++)
        {
            if (task.GetMember(i).Name == "pid")
            {
                pidOffset = task.GetMember(i).BitOffset / 8;
            }
        }

        Assert.Equal(pidOffset, info.PidOffset);
    }

    [Fact]
    public void ReadPointer_InTheKernel_ReadsTheParent()
    {
        KernelObjects.RequireBpf();
        using var collection = BpfCollection.Load(ObjectSpec.Load(CompiledTestPrograms.ObjectPath));
        int tid = 0;
        var thread = new Thread(() =>
        {
            tid = NativeThread.Id();
            collection.Programs["ReadParent"].TestRun(default, repeat: 0, contextIn: new byte[16]);
        });
        thread.Start();
        thread.Join();
        Assert.True(collection.Maps["Results"].TryLookup(2u, out TaskInfo info));
        Assert.Equal(tid, info.Pid);
        Assert.Equal(ParentPid(), info.ParentTgid);
    }

    private static int ParentPid()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
    }
}
