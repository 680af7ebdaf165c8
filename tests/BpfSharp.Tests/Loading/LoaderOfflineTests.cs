using BpfSharp.Linux;
using BpfSharp.Linux.Loading;

namespace BpfSharp.Tests.Loading;

/// <summary>Loader pieces that need no kernel: the section table, Kconfig parsing, internal map names.</summary>
public sealed class LoaderOfflineTests
{
    [Theory]
    [InlineData("socket", BpfProgramType.SocketFilter, null)]
    [InlineData("kprobe/do_sys_open", BpfProgramType.Kprobe, null)]
    [InlineData("kretprobe/do_sys_open", BpfProgramType.Kprobe, null)]
    [InlineData("uprobe", BpfProgramType.Kprobe, null)]
    [InlineData("uprobe.s/libc:malloc", BpfProgramType.Kprobe, null)]
    [InlineData("tracepoint/syscalls/sys_enter_open", BpfProgramType.Tracepoint, null)]
    [InlineData("tp/sched/sched_switch", BpfProgramType.Tracepoint, null)]
    [InlineData("raw_tp/sys_enter", BpfProgramType.RawTracepoint, null)]
    [InlineData("raw_tracepoint/sys_enter", BpfProgramType.RawTracepoint, null)]
    [InlineData("raw_tp.w/sys_enter", BpfProgramType.RawTracepointWritable, null)]
    [InlineData("tp_btf/sched_switch", BpfProgramType.Tracing, BpfAttachType.TraceRawTp)]
    [InlineData("fentry/do_unlinkat", BpfProgramType.Tracing, BpfAttachType.TraceFentry)]
    [InlineData("fexit/do_unlinkat", BpfProgramType.Tracing, BpfAttachType.TraceFexit)]
    [InlineData("iter/task", BpfProgramType.Tracing, BpfAttachType.TraceIter)]
    [InlineData("lsm/file_open", BpfProgramType.Lsm, BpfAttachType.LsmMac)]
    [InlineData("perf_event", BpfProgramType.PerfEvent, null)]
    [InlineData("xdp", BpfProgramType.Xdp, BpfAttachType.Xdp)]
    [InlineData("xdp.frags", BpfProgramType.Xdp, BpfAttachType.Xdp)]
    [InlineData("xdp/devmap", BpfProgramType.Xdp, BpfAttachType.XdpDevMap)]
    [InlineData("tc", BpfProgramType.SchedCls, null)]
    [InlineData("tcx/ingress", BpfProgramType.SchedCls, BpfAttachType.TcxIngress)]
    [InlineData("classifier", BpfProgramType.SchedCls, null)]
    [InlineData("cgroup_skb/ingress", BpfProgramType.CgroupSkb, BpfAttachType.CgroupInetIngress)]
    [InlineData("cgroup/connect4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Connect)]
    [InlineData("cgroup/sock", BpfProgramType.CgroupSock, BpfAttachType.CgroupInetSockCreate)]
    [InlineData("cgroup/dev", BpfProgramType.CgroupDevice, BpfAttachType.CgroupDevice)]
    [InlineData("sk_skb/stream_parser", BpfProgramType.SkSkb, BpfAttachType.SkSkbStreamParser)]
    [InlineData("?socket", BpfProgramType.SocketFilter, null)]
    public void SectionNamesMapToLibbpfsTypes(string section, BpfProgramType type, BpfAttachType? attach)
    {
        var def = ProgramSectionTable.Find(section);
        Assert.NotNull(def);
        Assert.Equal(type, def.ProgramType);
        Assert.Equal(attach, def.ExpectedAttachType);
    }

    [Theory]
    [InlineData("kprobex")]       // '+' needs the exact name or a '/'
    [InlineData("socket/extra")]  // exact-only rows
    [InlineData("xdpfoo")]
    [InlineData("unknown/section")]
    public void SectionNamesLibbpfRejects(string section) => Assert.Null(ProgramSectionTable.Find(section));

    [Fact]
    public void SleepableAndFragsRowsCarryTheirFlags()
    {
        Assert.True(ProgramSectionTable.Find("fentry.s/x")!.Flags.HasFlag(ProgramSectionFlags.Sleepable));
        Assert.True(ProgramSectionTable.Find("xdp.frags")!.Flags.HasFlag(ProgramSectionFlags.XdpFrags));
        Assert.Equal("do_unlinkat", ProgramSectionTable.Find("fentry/do_unlinkat")!.TargetOf("fentry/do_unlinkat"));
    }

    [Fact]
    public void KernelConfigParsesValuesAndVersion()
    {
        var cfg = KernelConfig.FromText("# comment\nCONFIG_HZ=250\nCONFIG_BPF=y\n# CONFIG_X is not set\nCONFIG_S=\"text\"\n", "6.18.44-custom");
        Assert.Equal("250", cfg["CONFIG_HZ"]);
        Assert.Equal("y", cfg["CONFIG_BPF"]);
        Assert.Null(cfg["CONFIG_X"]);
        Assert.Equal("\"text\"", cfg["CONFIG_S"]);
        Assert.Equal((6u << 16) + (18u << 8) + 44u, cfg.KernelVersion);
        Assert.Equal((5u << 16) + (4u << 8) + 255u, KernelConfig.FromText("", "5.4.300").KernelVersion);
    }

    [Theory]
    [InlineData("everything", ".rodata", "everythi.rodata")]
    [InlineData("everything", ".kconfig", "everyth.kconfig")]
    [InlineData("x", ".bss", "x.bss")]
    [InlineData("everything", ".data.custom", ".data.custom")]
    [InlineData("everything", ".rodata.str1.1", ".rodata.str1.1")]
    [InlineData("my-obj", ".data", "my_obj.data")]
    public void InternalMapNamesFollowLibbpf(string obj, string section, string expected) =>
        Assert.Equal(expected, BpfObjectLoader.InternalMapName(obj, section));
}
