using System.Runtime.InteropServices;
using System.Text.Json;
using BpfSharp.Linux;
using BpfSharp.Linux.Links;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Loading;
using BpfSharp.Tests.Runtime;

namespace BpfSharp.Tests.Linux;

/// <summary>
/// <c>raw_tp.w/NAME</c> and <c>raw_tracepoint.w/NAME</c> (writable raw tracepoints) attach from their section as
/// libbpf's <c>attach_raw_tp</c> attaches them. The C object testdata/linux/tp_writable.c and its C# twin each hold
/// writable programs on sys_enter that leave their context alone (a writable program attaches only where it reads
/// no more of the tracepoint's buffer, args[0], than the tracepoint lets it write: nothing on sys_enter) and an
/// ordinary raw_tp program on the same tracepoint: all count every system call of one thread while an mmapped flag is set,
/// so the writable counts must equal the raw_tp count exactly (the same kernel events), and the raw_tp program's
/// getppid() count must equal the calls made. libbpf 1.1 (native/attach_all.c under strace) makes the same attach
/// requests. bpftool 7.1 has no <c>prog loadall … autoattach</c> (added in bpftool 7.2), so it cannot be asked.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed partial class WritableRawTracepointTests(ITestOutputHelper output)
{
    private const int Calls = 9;

    private static string CObject => LoaderObjects.Compile(Path.Combine(TestPaths.TestData, "linux", "tp_writable.c"), mustCompile: true)!;

    /// <summary>The C# twin of tp_writable.c; <paramref name="readsBuffer"/> adds a writable program that reads through args[0].</summary>
    private static string Source(bool readsBuffer) => $$"""
        using System.Threading;
        using BpfSharp.Kernel;

        [assembly: License("GPL")]

        public static unsafe class WritableTracepoints
        {
            static readonly ArrayMap<ulong> TpwCsHits = new(maxEntries: 4);

            static uint TargetTid;
            static uint Armed;

            static bool Mine() => Armed != 0 && (uint)Bpf.GetCurrentPidTgid() == TargetTid;

            static void Bump(uint slot)
            {
                ulong* hits = TpwCsHits.Lookup(slot);
                if (hits != null) Interlocked.Increment(ref *hits);
            }

            [BpfProgram("raw_tp.w/sys_enter")]
            public static int CountWritable(void* ctx)
            {
                if (Mine()) Bump(0);
                return 0;
            }

            [RawTracepointWritable("sys_enter")]
            public static int CountWritableAttribute(void* ctx)
            {
                if (Mine()) Bump(1);
                return 0;
            }

            [RawTracepoint("sys_enter")]
            public static int CountPlain(ulong* ctx)
            {
                if (!Mine()) return 0;
                Bump(2);
                if (ctx[1] == 110) Bump(3); // __NR_getppid on x86-64
                return 0;
            }
        {{(readsBuffer ? """

            // args[0] is the tracepoint's buffer for a writable program (sys_enter: the pt_regs); orig_ax at 120.
            [RawTracepointWritable("sys_enter")]
            public static int ReadsTheBuffer(ulong* ctx) => ((ulong*)ctx[0])[15] == 110 ? 1 : 0;
        """ : "")}}
        }
        """;

    private static ObjectSpec CompileCSharp(bool readsBuffer)
    {
        var compilation = BpfSourceCompiler.Compile(readsBuffer ? "WritableTpReads" : "WritableTp", Source(readsBuffer));
        Assert.True(compilation.Success, string.Join("\n", compilation.Diagnostics));
        return ObjectSpec.Read(compilation.Object!, "writable_tp.bpf.o");
    }

    [Fact]
    public void AttachRequestsEqualLibbpfs()
    {
        KernelObjects.RequireBpf();
        var trace = Path.Combine(TestPaths.NewScratchDirectory("tp_writable"), "trace.txt");
        string[] theirs;
        try
        {
            var run = ExternalTool.Run("strace", ["-f", "-e", "trace=bpf", "-s", "64", "-o", trace, LibbpfAttachTrace.Harness, CObject]);
            Assert.True(run.ExitCode == 0, $"libbpf's attach failed ({run.ExitCode}): {run.StdoutText}{run.Stderr}");
            output.WriteLine(run.StdoutText);
            theirs = LibbpfAttachTrace.AttachCalls(File.ReadAllLines(trace));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(trace)!, recursive: true);
        }

        using var obj = BpfObject.Open(CObject);
        obj.Load();
        var ours = LibbpfAttachTrace.AttachCalls(SelfTrace.Bpf(() => obj.AttachAll().Dispose()));

        foreach (var call in theirs) output.WriteLine($"libbpf: {call}");
        foreach (var call in ours) output.WriteLine($"ours:   {call}");
        // Two writable programs and the raw_tp one: each opened by name, as libbpf 1.1 does.
        Assert.Equal(Enumerable.Repeat("BPF_RAW_TRACEPOINT_OPEN, {raw_tracepoint={name=\"sys_enter\", prog_fd=FD}} = FD", 3), theirs);
        Assert.Equal(theirs, ours);
    }

    [Fact]
    public void CObjectAttachedByAttachAllCountsLikeTheRawTracepoint()
    {
        KernelObjects.RequireBpf();
        using var obj = BpfObject.Open(CObject);
        Assert.Equal(["raw_tp.w/sys_enter", "raw_tracepoint.w/sys_enter", "raw_tp/sys_enter"],
            obj.Spec.Programs.Where(p => !p.IsSubprogram).Select(p => p.SectionName));
        obj.Load();
        CountWithAttachAll(obj, "tpw_hits", "target_tid", "armed");
    }

    [Fact]
    public void CSharpProgramAttachedByAttachAllCountsLikeTheRawTracepoint()
    {
        KernelObjects.RequireBpf();
        var spec = CompileCSharp(readsBuffer: false);
        var sections = spec.Programs.Where(p => !p.IsSubprogram).ToDictionary(p => p.Name, p => p.SectionName);
        Assert.Equal("raw_tp.w/sys_enter", sections["CountWritable"]);
        Assert.Equal("raw_tp.w/sys_enter", sections["CountWritableAttribute"]);
        Assert.Equal("raw_tp/sys_enter", sections["CountPlain"]);
        using var obj = BpfObject.Open(spec);
        obj.Load();
        CountWithAttachAll(obj, "TpwCsHits", "TargetTid", "Armed");
    }

    [Fact]
    public void WritableProgramReadingTheTracepointBufferIsRefusedOnSysEnterAndNothingStays()
    {
        KernelObjects.RequireBpf();
        using var obj = BpfObject.Open(CompileCSharp(readsBuffer: true));
        obj.Load();
        Assert.Equal("raw_tracepoint_writable", ProgramType(obj.Program("ReadsTheBuffer").Id));
        // sys_enter's writable size is 0; this program reads 128 bytes of the buffer (the verifier's max_tp_access).
        var attach = Assert.Throws<BpfAttachException>(() => obj.AttachAll());
        output.WriteLine($"AttachAll: {attach.Message}");
        // The error names the program and its section, and carries the kernel's answer.
        Assert.StartsWith("program 'ReadsTheBuffer' (section 'raw_tp.w/sys_enter'): ", attach.Message);
        var e = Assert.IsType<BpfSyscallException>(attach.InnerException);
        Assert.Equal(BpfCommand.RawTracepointOpen, e.Command);
        Assert.Equal("EINVAL", e.ErrnoName);
        Assert.Equal(e.Errno, attach.Errno);
        // AttachAll detached the programs it had attached before the refusal.
        Assert.Empty(LinkIdsOf(obj));
    }

    private void CountWithAttachAll(BpfObject obj, string mapName, string tidName, string armedName)
    {
        var hits = obj.Map<uint, ulong>(mapName);
        var armed = obj.Variable<uint>(armedName);
        obj.Variable<uint>(tidName).Value = (uint)NativeThread.Id();
        int[] linkIds;
        using (var links = obj.AttachAll())
        {
            Assert.Equal(3, links.Links.Count);
            Assert.All(links.Links, l => Assert.IsType<RawTracepointLink>(l));
            linkIds = [.. links.Links.Select(l => l.Id)];
            var types = new List<string>();
            foreach (var link in links.Links)
            {
                // The kernel's own account (bpftool), not ours.
                using var json = JsonDocument.Parse(KernelObjects.Bpftool("link", "show", "id", link.Id.ToString(), "-j"));
                Assert.Equal("raw_tracepoint", json.RootElement.GetProperty("type").GetString());
                Assert.Equal("sys_enter", json.RootElement.GetProperty("tp_name").GetString());
                types.Add(ProgramType(json.RootElement.GetProperty("prog_id").GetInt32()));
            }
            Assert.Equal(["raw_tracepoint_writable", "raw_tracepoint_writable", "raw_tracepoint"], types);

            // Arming and disarming are stores to the mmapped .bss: no system call of ours but the getppid() ones
            // (and whatever the runtime does on this thread meanwhile, which every program sees alike).
            armed.Value = 1;
            for (var i = 0; i < Calls; i++) GetParentProcessId();
            armed.Value = 0;
        }
        armed.Value = 1;
        for (var i = 0; i < Calls; i++) GetParentProcessId();
        armed.Value = 0;

        ulong writable = hits[0u], writableToo = hits[1u], all = hits[2u], getppid = hits[3u];
        output.WriteLine($"writable programs counted {writable} and {writableToo} system calls, raw_tp {all} ({getppid} getppid of {Calls}); {Calls} more after detach");
        Assert.Equal((ulong)Calls, getppid);
        Assert.Equal(all, writable);
        Assert.Equal(all, writableToo);
        Assert.True(writable >= Calls, $"the writable programs counted {writable} system calls, fewer than the {Calls} getppid() calls");
        using var list = JsonDocument.Parse(KernelObjects.Bpftool("link", "list", "-j"));
        var left = list.RootElement.EnumerateArray().Select(l => l.GetProperty("id").GetInt32()).Intersect(linkIds).ToList();
        Assert.True(left.Count == 0, $"links left after dispose: {string.Join(", ", left)}");
    }

    private static string ProgramType(int programId)
    {
        using var json = JsonDocument.Parse(KernelObjects.Bpftool("prog", "show", "id", programId.ToString(), "-j"));
        return json.RootElement.GetProperty("type").GetString()!;
    }

    /// <summary>The ids of the kernel's links (bpftool) whose program is one of <paramref name="obj"/>'s.</summary>
    private static List<int> LinkIdsOf(BpfObject obj)
    {
        var programs = obj.Collection.Programs.Values.Select(p => p.Id).ToHashSet();
        using var list = JsonDocument.Parse(KernelObjects.Bpftool("link", "list", "-j"));
        return [.. list.RootElement.EnumerateArray().Where(l => programs.Contains(l.GetProperty("prog_id").GetInt32())).Select(l => l.GetProperty("id").GetInt32())];
    }

    [LibraryImport("libc", EntryPoint = "getppid")]
    private static partial int GetParentProcessId();
}
