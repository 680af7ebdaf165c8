using BpfSharp.Btf;
using BpfSharp.Instructions;
using BpfSharp.Linux;
using BpfSharp.Linux.Links;
using BpfSharp.Linux.RingBuffer;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Runtime;

/// <summary>
/// Nothing stays behind: after successful and failing attaches, readers and pins, neither bpftool nor this
/// process's fd table shows any of the objects.
/// </summary>
[Collection(RuntimeCollection.Name)]
public class LeakTests
{
    private const string Prefix = "bpfsharp_t_lk";

    /// <summary>This process's fds that refer to BPF objects or perf events (readlink of /proc/self/fd/*).</summary>
    private static List<string> BpfFds()
    {
        var result = new List<string>();
        foreach (var entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            string? target;
            try { target = new FileInfo(entry).LinkTarget; }
            catch (IOException) { continue; }
            if (target is not null && (target.Contains("bpf", StringComparison.Ordinal) || target.Contains("perf_event", StringComparison.Ordinal)))
                result.Add($"{Path.GetFileName(entry)} -> {target}");
        }
        return result;
    }

    /// <summary>The C library this process has mapped (from /proc/self/maps).</summary>
    private static string LibcPath() =>
        File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
            .First(p => Path.GetFileName(p).StartsWith("libc.so", StringComparison.Ordinal));

    private static HashSet<int> Named(string kind)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(KernelObjects.Bpftool("-j", kind, "show"));
        return doc.RootElement.EnumerateArray()
            .Where(e => e.TryGetProperty("name", out var n) && n.GetString()!.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(e => e.GetProperty("id").GetInt32()).ToHashSet();
    }

    [Fact]
    public void AttachSuccessAndFailureLeaveNothingBehind()
    {
        KernelObjects.RequireBpf();
        var fdsBefore = BpfFds();
        var linksBefore = KernelObjects.Ids("link");
        var programIds = new List<int>();
        var mapIds = new List<int>();
        var dir = TestPaths.NewScratchDirectory("leak");
        try
        {
            using (var counters = TestPrograms.Counters(2, Prefix + "c"))
            using (var ring = BpfMap.Create(BpfMapType.RingBuf, 0, 0, 4096 * 4, name: Prefix + "r"))
            using (var perf = BpfMap.Create(BpfMapType.PerfEventArray, 4, 4, Environment.ProcessorCount, name: Prefix + "p"))
            {
                mapIds.AddRange([counters.Id, ring.Id, perf.Id]);
                using var tp = AttachTestKit.Load(BpfProgramType.Tracepoint, TestPrograms.Counter(counters), Prefix + "tp");
                using var raw = AttachTestKit.Load(BpfProgramType.RawTracepoint, TestPrograms.Counter(counters), Prefix + "raw");
                using var kp = AttachTestKit.Load(BpfProgramType.Kprobe, TestPrograms.Counter(counters), Prefix + "kp");
                using var xdp = AttachTestKit.Load(BpfProgramType.Xdp, TestPrograms.Counter(counters, returnValue: 2), Prefix + "xdp");
                using var pe = AttachTestKit.Load(BpfProgramType.PerfEvent, TestPrograms.Counter(counters), Prefix + "pe");
                programIds.AddRange([tp.Id, raw.Id, kp.Id, xdp.Id, pe.Id]);

                // Failures at every stage.
                Assert.Throws<BpfAttachException>(() => PerfEventLink.Tracepoint(tp, -5));
                Assert.ThrowsAny<Exception>(() => PerfEventLink.Tracepoint(xdp, AttachTestKit.TracepointId("syscalls", "sys_enter_getpid"))); // wrong program type
                Assert.Throws<BpfSyscallException>(() => RawTracepointLink.Attach(raw, "bpfsharp_no_such_tp"));
                Assert.Throws<BpfSyscallException>(() => RawTracepointLink.Attach(xdp, "sys_enter"));
                Assert.Throws<BpfAttachException>(() => PerfEventLink.Kprobe(kp, "bpfsharp_no_such_function"));
                Assert.Throws<BpfAttachException>(() => PerfEventLink.Uprobe(kp, "/bin/true", "bpfsharp_no_such_symbol"));
                Assert.ThrowsAny<Exception>(() => PerfEventLink.UprobeAtOffset(kp, "/bin/true", 0xffffffff));
                Assert.Throws<BpfSyscallException>(() => XdpLink.Attach(xdp, 999_999));
                Assert.Throws<BpfSyscallException>(() => TcxLink.Attach(xdp, 1, ingress: true)); // XDP program on tcx
                Assert.Throws<BpfAttachException>(() => CgroupLink.Attach(xdp, Path.Combine(dir, "missing"), BpfAttachType.CgroupInetIngress));
                Assert.ThrowsAny<Exception>(() => PerfEventLink.SoftwareEvent(pe, cpu: 100_000));
                Assert.Throws<BpfSyscallException>(() => BpfProgram.Load(BpfProgramType.Xdp, [Instruction.Exit()], "GPL", new BpfProgramLoadOptions { Name = Prefix + "bad" }));
                Assert.Throws<BpfSyscallException>(() => BpfLink.OpenPinned(Path.Combine("/sys/fs/bpf", Prefix + "_missing")));

                // Successes, released again.
                using (PerfEventLink.Tracepoint(tp, AttachTestKit.TracepointId("syscalls", "sys_enter_getpid"))) { }
                using (RawTracepointLink.Attach(raw, "sys_enter")) { }
                using (PerfEventLink.Uprobe(kp, LibcPath(), "getpid", isReturnProbe: true)) { }
                using (PerfEventLink.SoftwareEvent(pe, cpu: 0)) { }
                using (new RingBufferReader(ring)) { }
                using (new PerfBufferReader(perf, pagesPerCpu: 1)) { }
                var pin = Path.Combine("/sys/fs/bpf", Prefix + "_" + Guid.NewGuid().ToString("N")[..8]);
                using (var link = RawTracepointLink.Attach(raw, "sys_enter"))
                {
                    link.Pin(pin);
                    link.Unpin();
                    Assert.False(File.Exists(pin));
                }
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        KernelObjects.AssertGone("prog", programIds.ToArray());
        KernelObjects.AssertGone("map", mapIds.ToArray());
        Assert.Empty(Named("prog"));
        Assert.Empty(Named("map"));
        Assert.True(AttachTestKit.Eventually(() => !KernelObjects.Ids("link").Except(linksBefore).Any()),
            "links left: " + string.Join(", ", KernelObjects.Ids("link").Except(linksBefore)));
        Assert.Equal(fdsBefore, BpfFds());
    }
}
