using System.Net;
using System.Net.Sockets;
using BpfSharp.Btf;
using BpfSharp.Linux;
using BpfSharp.Linux.Links;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Runtime;

/// <summary>
/// Attaching hand-assembled counting programs to real hooks, triggering them and reading the counters back. The
/// counters filter on the test thread's id, so the expected counts are exact.
/// </summary>
[Collection(RuntimeCollection.Name)]
public class AttachTests
{
    private const int GetPidSyscall = 39; // x86-64
    private const int Triggers = 7;

    [Fact]
    public void TracepointCountsGetpidAndStopsAfterDispose()
    {
        KernelObjects.RequireBpf();
        using var counters = TestPrograms.Counters();
        using var program = AttachTestKit.Load(BpfProgramType.Tracepoint, TestPrograms.Counter(counters, AttachTestKit.CurrentThreadId), "bpfsharp_t_tp");
        var id = AttachTestKit.TracepointId("syscalls", "sys_enter_getpid");
        int linkId;
        using (var link = PerfEventLink.Tracepoint(program, id))
        {
            Assert.True(link.IsBpfLink);
            linkId = link.Id;
            Assert.Equal(program.Id, link.ProgramId);
            Assert.Contains(linkId, KernelObjects.Ids("link"));
            AttachTestKit.CallGetPid(Triggers);
            Assert.Equal((ulong)Triggers, TestPrograms.Read(counters));
        }
        AttachTestKit.CallGetPid(3);
        Assert.Equal((ulong)Triggers, TestPrograms.Read(counters));
        KernelObjects.AssertGone("link", linkId);
    }

    [Fact]
    public void TracepointByNameNeedsMountedTracefs()
    {
        KernelObjects.RequireBpf();
        using var counters = TestPrograms.Counters();
        using var program = AttachTestKit.Load(BpfProgramType.Tracepoint, TestPrograms.Counter(counters), "bpfsharp_t_tpn");
        if (Tracefs.FindRoot() is null)
        {
            var e = Assert.Throws<BpfAttachException>(() => PerfEventLink.Tracepoint(program, "syscalls", "sys_enter_getpid"));
            Assert.Contains("tracefs is not mounted", e.Message);
        }
        else
        {
            using var link = PerfEventLink.Tracepoint(program, "syscalls", "sys_enter_getpid");
            Assert.True(link.Id > 0);
            var e = Assert.Throws<BpfAttachException>(() => PerfEventLink.Tracepoint(program, "syscalls", "no_such_tracepoint"));
            Assert.Contains("no tracepoint", e.Message);
        }
    }

    [Fact]
    public void RawTracepointCountsGetpid()
    {
        KernelObjects.RequireBpf();
        using var counters = TestPrograms.Counters();
        // raw_tp sys_enter: ctx is u64 args[2] = { struct pt_regs *, long id }.
        using var program = AttachTestKit.Load(BpfProgramType.RawTracepoint,
            TestPrograms.Counter(counters, AttachTestKit.CurrentThreadId, syscallArgOffset: 8, syscallNumber: GetPidSyscall), "bpfsharp_t_rtp");
        using (var link = RawTracepointLink.Attach(program, "sys_enter"))
        {
            AttachTestKit.CallGetPid(Triggers);
            Assert.Equal((ulong)Triggers, TestPrograms.Read(counters));
            Assert.Equal(program.Id, link.ProgramId);
        }
        AttachTestKit.CallGetPid(2);
        Assert.Equal((ulong)Triggers, TestPrograms.Read(counters));
        var e = Assert.Throws<BpfSyscallException>(() => RawTracepointLink.Attach(program, "no_such_tracepoint_x"));
        Assert.Equal(BpfCommand.RawTracepointOpen, e.Command);
    }

    [Fact]
    public void BtfTracepointCountsGetpid()
    {
        KernelObjects.RequireBpf();
        var vmlinux = BtfSpec.Load(TestPaths.Vmlinux);
        var btfId = vmlinux.FindByName("btf_trace_sys_enter", BtfKind.Typedef);
        Assert.True(btfId > 0, "btf_trace_sys_enter not in vmlinux BTF");
        using var counters = TestPrograms.Counters();
        using var program = AttachTestKit.Load(BpfProgramType.Tracing,
            TestPrograms.Counter(counters, AttachTestKit.CurrentThreadId, syscallArgOffset: 8, syscallNumber: GetPidSyscall), "bpfsharp_t_tpb",
            new BpfProgramLoadOptions { Name = "bpfsharp_t_tpb", ExpectedAttachType = BpfAttachType.TraceRawTp, AttachBtfId = btfId });
        using (RawTracepointLink.AttachBtf(program))
        {
            AttachTestKit.CallGetPid(Triggers);
            Assert.Equal((ulong)Triggers, TestPrograms.Read(counters));
        }
        AttachTestKit.CallGetPid(2);
        Assert.Equal((ulong)Triggers, TestPrograms.Read(counters));
    }

    [Fact]
    public void KprobeOnGetpid()
    {
        KernelObjects.RequireBpf();
        using var counters = TestPrograms.Counters();
        using var program = AttachTestKit.Load(BpfProgramType.Kprobe, TestPrograms.Counter(counters, AttachTestKit.CurrentThreadId), "bpfsharp_t_kp");
        if (!Directory.Exists("/sys/bus/event_source/devices/kprobe"))
        {
            // Kernel built without CONFIG_KPROBE_EVENTS: the attach must say so, and leave nothing behind.
            var e = Assert.Throws<BpfAttachException>(() => PerfEventLink.Kprobe(program, "__x64_sys_getpid"));
            Assert.Contains("no kprobe PMU", e.Message);
            return;
        }
        using (PerfEventLink.Kprobe(program, "__x64_sys_getpid"))
        {
            AttachTestKit.CallGetPid(Triggers);
            Assert.Equal((ulong)Triggers, TestPrograms.Read(counters));
        }
        using (PerfEventLink.Kprobe(program, "__x64_sys_getpid", isReturnProbe: true))
        {
            AttachTestKit.CallGetPid(Triggers);
            Assert.Equal((ulong)(2 * Triggers), TestPrograms.Read(counters));
        }
        Assert.Throws<BpfAttachException>(() => PerfEventLink.Kprobe(program, "bpfsharp_no_such_function"));
    }

    [Fact]
    public void UprobeAndUretprobeOnTestBinary()
    {
        KernelObjects.RequireBpf();
        var dir = TestPaths.NewScratchDirectory("uprobe");
        try
        {
            var binary = Path.Combine(dir, "uprobe_target");
            AttachTestKit.Run("gcc", "-O1", "-g", "-o", binary, Path.Combine(TestPaths.TestData, "runtime", "uprobe_target.c"));
            using var counters = TestPrograms.Counters();
            using var program = AttachTestKit.Load(BpfProgramType.Kprobe, TestPrograms.Counter(counters), "bpfsharp_t_up");
            using (var entry = PerfEventLink.Uprobe(program, binary, "bpfsharp_target_function"))
            using (var ret = PerfEventLink.Uprobe(program, binary, "bpfsharp_target_function", isReturnProbe: true))
            {
                Assert.True(entry.IsBpfLink && ret.IsBpfLink);
                var output = AttachTestKit.Run(binary, "13");
                Assert.Contains("calls=13", output);
                Assert.Equal(26ul, TestPrograms.Read(counters)); // 13 entries + 13 returns
            }
            AttachTestKit.Run(binary, "5");
            Assert.Equal(26ul, TestPrograms.Read(counters));
            var e = Assert.Throws<BpfAttachException>(() => PerfEventLink.Uprobe(program, binary, "no_such_symbol"));
            Assert.Contains("no function symbol 'no_such_symbol'", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void PerfEventCpuClockSamples()
    {
        KernelObjects.RequireBpf();
        using var counters = TestPrograms.Counters();
        using var program = AttachTestKit.Load(BpfProgramType.PerfEvent, TestPrograms.Counter(counters), "bpfsharp_t_pe");
        ulong during;
        using (var link = PerfEventLink.SoftwareEvent(program, cpu: 0, PerfSoftwareEvent.CpuClock, frequency: 1000))
        {
            Assert.True(AttachTestKit.Eventually(() => TestPrograms.Read(counters) >= 20), "cpu-clock at 1 kHz fired fewer than 20 times in 5 s");
            during = TestPrograms.Read(counters);
        }
        var after = TestPrograms.Read(counters);
        Thread.Sleep(200);
        Assert.Equal(after, TestPrograms.Read(counters));
        Assert.True(after >= during);
    }

    [Fact]
    public void LinkPinOutlivesFdAndUnpinDetaches()
    {
        KernelObjects.RequireBpf();
        using var counters = TestPrograms.Counters();
        using var program = AttachTestKit.Load(BpfProgramType.RawTracepoint,
            TestPrograms.Counter(counters, AttachTestKit.CurrentThreadId, syscallArgOffset: 8, syscallNumber: GetPidSyscall), "bpfsharp_t_pin");
        var path = $"/sys/fs/bpf/bpfsharp_t_link_{Guid.NewGuid():N}";
        int id;
        try
        {
            using (var link = RawTracepointLink.Attach(program, "sys_enter"))
            {
                id = link.Id;
                link.Pin(path);
                Assert.Equal(path, link.PinnedPath);
            }
            // The fd is closed but the pin keeps the program attached.
            AttachTestKit.CallGetPid(4);
            Assert.Equal(4ul, TestPrograms.Read(counters));
            using (var reopened = BpfLink.OpenPinned(path))
            {
                Assert.Equal(id, reopened.Id);
                Assert.Equal(program.Id, reopened.ProgramId);
            }
            File.Delete(path);
            KernelObjects.AssertGone("link", id);
            AttachTestKit.CallGetPid(4);
            Assert.Equal(4ul, TestPrograms.Read(counters));
        }
        finally
        {
            if (File.Exists(path)) File.Delete(path);
        }
    }

    [Fact]
    public void SocketFilterDropsUntilDetached()
    {
        KernelObjects.RequireBpf();
        using var counters = TestPrograms.Counters();
        // Socket filters return the number of bytes to keep: 0 drops the packet.
        using var program = AttachTestKit.Load(BpfProgramType.SocketFilter, TestPrograms.Counter(counters, returnValue: 0), "bpfsharp_t_sf");
        using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        receiver.ReceiveTimeout = 300;
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var buffer = new byte[64];
        using (SocketFilterAttachment.Attach(receiver, program))
        {
            for (var i = 0; i < 3; i++) sender.SendTo("drop"u8.ToArray(), receiver.LocalEndPoint!);
            Assert.True(AttachTestKit.Eventually(() => TestPrograms.Read(counters) == 3));
            var e = Assert.Throws<SocketException>(() => receiver.Receive(buffer));
            Assert.Equal(SocketError.TimedOut, e.SocketErrorCode);
        }
        sender.SendTo("keep"u8.ToArray(), receiver.LocalEndPoint!);
        Assert.Equal(4, receiver.Receive(buffer));
        Assert.Equal(3ul, TestPrograms.Read(counters));
    }

    [Fact]
    public void CgroupSkbLinkShowsInBpftool()
    {
        KernelObjects.RequireBpf();
        var cgroup = Path.Combine("/sys/fs/cgroup/unified", "bpfsharp_t_" + Guid.NewGuid().ToString("N")[..8]);
        if (!Directory.Exists("/sys/fs/cgroup/unified")) cgroup = Path.Combine("/sys/fs/cgroup", "bpfsharp_t_" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(cgroup);
        try
        {
            using var counters = TestPrograms.Counters();
            using var program = AttachTestKit.Load(BpfProgramType.CgroupSkb, TestPrograms.Counter(counters, returnValue: 1), "bpfsharp_t_cg",
                new BpfProgramLoadOptions { Name = "bpfsharp_t_cg", ExpectedAttachType = BpfAttachType.CgroupInetIngress });
            int linkId;
            using (var link = CgroupLink.Attach(program, cgroup, BpfAttachType.CgroupInetIngress))
            {
                linkId = link.Id;
                var shown = KernelObjects.Bpftool("-j", "cgroup", "show", cgroup);
                Assert.Contains($"\"id\":{program.Id}", shown);
                Assert.Contains("ingress", shown);
            }
            KernelObjects.AssertGone("link", linkId);
            Assert.DoesNotContain($"\"id\":{program.Id}", KernelObjects.Bpftool("-j", "cgroup", "show", cgroup));
        }
        finally
        {
            Directory.Delete(cgroup);
        }
    }
}
