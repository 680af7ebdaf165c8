namespace BpfSharp.Objects;

/// <summary>Flags of a section definition (libbpf's <c>SEC_*</c> flags).</summary>
[Flags]
public enum ProgramSectionFlags
{
    /// <summary><c>SEC_NONE</c>.</summary>
    None = 0,
    /// <summary><c>SEC_EXP_ATTACH_OPT</c>: the expected attach type is optional for the kernel.</summary>
    ExpectedAttachTypeOptional = 1,
    /// <summary><c>SEC_ATTACHABLE</c>: the attach type is passed at load as <c>expected_attach_type</c>.</summary>
    Attachable = 2,
    /// <summary><c>SEC_ATTACHABLE_OPT</c>: attachable, with an optional expected attach type.</summary>
    AttachableOptional = Attachable | ExpectedAttachTypeOptional,
    /// <summary><c>SEC_ATTACH_BTF</c>: the section name's suffix names a BTF function to attach to.</summary>
    AttachBtf = 4,
    /// <summary><c>SEC_SLEEPABLE</c>: loaded with <c>BPF_F_SLEEPABLE</c>.</summary>
    Sleepable = 8,
    /// <summary><c>SEC_XDP_FRAGS</c>: loaded with <c>BPF_F_XDP_HAS_FRAGS</c>.</summary>
    XdpFrags = 16,
    /// <summary><c>SEC_USDT</c>: a USDT probe program.</summary>
    Usdt = 32,
}

/// <summary>
/// One entry of libbpf's <c>section_defs</c>: which program type and expected attach type a
/// <c>SEC("...")</c> name means. A prefix ending in <c>+</c> matches the bare name or the name followed by
/// <c>/</c> and anything; a prefix ending in <c>/</c> needs that prefix; anything else matches exactly.
/// </summary>
/// <param name="Prefix">The pattern, as libbpf writes it.</param>
/// <param name="ProgramType">The program type.</param>
/// <param name="ExpectedAttachType">The expected attach type (0 = <c>BPF_CGROUP_INET_INGRESS</c> doubles as "none").</param>
/// <param name="Flags">libbpf's flags for it.</param>
public sealed record ProgramSectionDefinition(string Prefix, BpfProgramType ProgramType, BpfAttachType ExpectedAttachType, ProgramSectionFlags Flags)
{
    /// <summary>libbpf's <c>sec_def_matches</c>.</summary>
    public bool Matches(string sectionName)
    {
        ArgumentNullException.ThrowIfNull(sectionName);
        if (Prefix.EndsWith('/')) return sectionName.StartsWith(Prefix, StringComparison.Ordinal);
        if (Prefix.EndsWith('+'))
        {
            var stem = Prefix.AsSpan(0, Prefix.Length - 1);
            if (!sectionName.AsSpan().StartsWith(stem, StringComparison.Ordinal)) return false;
            return sectionName.Length == stem.Length || sectionName[stem.Length] == '/';
        }
        return sectionName == Prefix;
    }

    /// <summary>libbpf's table, in its order (the first match wins).</summary>
    public static IReadOnlyList<ProgramSectionDefinition> All { get; } =
    [
        new("socket", BpfProgramType.SocketFilter, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.None),
        new("sk_reuseport/migrate", BpfProgramType.SkReuseport, BpfAttachType.SkReuseportSelectOrMigrate, ProgramSectionFlags.Attachable),
        new("sk_reuseport", BpfProgramType.SkReuseport, BpfAttachType.SkReuseportSelect, ProgramSectionFlags.Attachable),
        new("kprobe+", BpfProgramType.Kprobe, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.None),
        new("uprobe+", BpfProgramType.Kprobe, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.None),
        new("uprobe.s+", BpfProgramType.Kprobe, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.Sleepable),
        new("kretprobe+", BpfProgramType.Kprobe, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.None),
        new("uretprobe+", BpfProgramType.Kprobe, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.None),
        new("uretprobe.s+", BpfProgramType.Kprobe, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.Sleepable),
        new("kprobe.multi+", BpfProgramType.Kprobe, BpfAttachType.TraceKprobeMulti, ProgramSectionFlags.None),
        new("kretprobe.multi+", BpfProgramType.Kprobe, BpfAttachType.TraceKprobeMulti, ProgramSectionFlags.None),
        new("kprobe.session+", BpfProgramType.Kprobe, BpfAttachType.TraceKprobeSession, ProgramSectionFlags.None),
        new("uprobe.multi+", BpfProgramType.Kprobe, BpfAttachType.TraceUprobeMulti, ProgramSectionFlags.None),
        new("uretprobe.multi+", BpfProgramType.Kprobe, BpfAttachType.TraceUprobeMulti, ProgramSectionFlags.None),
        new("uprobe.session+", BpfProgramType.Kprobe, BpfAttachType.TraceUprobeSession, ProgramSectionFlags.None),
        new("uprobe.multi.s+", BpfProgramType.Kprobe, BpfAttachType.TraceUprobeMulti, ProgramSectionFlags.Sleepable),
        new("uretprobe.multi.s+", BpfProgramType.Kprobe, BpfAttachType.TraceUprobeMulti, ProgramSectionFlags.Sleepable),
        new("uprobe.session.s+", BpfProgramType.Kprobe, BpfAttachType.TraceUprobeSession, ProgramSectionFlags.Sleepable),
        new("ksyscall+", BpfProgramType.Kprobe, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.None),
        new("kretsyscall+", BpfProgramType.Kprobe, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.None),
        new("usdt+", BpfProgramType.Kprobe, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.Usdt),
        new("usdt.s+", BpfProgramType.Kprobe, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.Usdt | ProgramSectionFlags.Sleepable),
        new("tc/ingress", BpfProgramType.SchedCls, BpfAttachType.TcxIngress, ProgramSectionFlags.None),
        new("tc/egress", BpfProgramType.SchedCls, BpfAttachType.TcxEgress, ProgramSectionFlags.None),
        new("tcx/ingress", BpfProgramType.SchedCls, BpfAttachType.TcxIngress, ProgramSectionFlags.None),
        new("tcx/egress", BpfProgramType.SchedCls, BpfAttachType.TcxEgress, ProgramSectionFlags.None),
        new("tc", BpfProgramType.SchedCls, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.None),
        new("classifier", BpfProgramType.SchedCls, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.None),
        new("action", BpfProgramType.SchedAct, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.None),
        new("netkit/primary", BpfProgramType.SchedCls, BpfAttachType.NetkitPrimary, ProgramSectionFlags.None),
        new("netkit/peer", BpfProgramType.SchedCls, BpfAttachType.NetkitPeer, ProgramSectionFlags.None),
        new("tracepoint+", BpfProgramType.Tracepoint, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.None),
        new("tp+", BpfProgramType.Tracepoint, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.None),
        new("raw_tracepoint+", BpfProgramType.RawTracepoint, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.None),
        new("raw_tp+", BpfProgramType.RawTracepoint, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.None),
        new("raw_tracepoint.w+", BpfProgramType.RawTracepointWritable, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.None),
        new("raw_tp.w+", BpfProgramType.RawTracepointWritable, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.None),
        new("tp_btf+", BpfProgramType.Tracing, BpfAttachType.TraceRawTp, ProgramSectionFlags.AttachBtf),
        new("fentry+", BpfProgramType.Tracing, BpfAttachType.TraceFentry, ProgramSectionFlags.AttachBtf),
        new("fmod_ret+", BpfProgramType.Tracing, BpfAttachType.ModifyReturn, ProgramSectionFlags.AttachBtf),
        new("fexit+", BpfProgramType.Tracing, BpfAttachType.TraceFexit, ProgramSectionFlags.AttachBtf),
        new("fentry.s+", BpfProgramType.Tracing, BpfAttachType.TraceFentry, ProgramSectionFlags.AttachBtf | ProgramSectionFlags.Sleepable),
        new("fmod_ret.s+", BpfProgramType.Tracing, BpfAttachType.ModifyReturn, ProgramSectionFlags.AttachBtf | ProgramSectionFlags.Sleepable),
        new("fexit.s+", BpfProgramType.Tracing, BpfAttachType.TraceFexit, ProgramSectionFlags.AttachBtf | ProgramSectionFlags.Sleepable),
        new("freplace+", BpfProgramType.Ext, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.AttachBtf),
        new("lsm+", BpfProgramType.Lsm, BpfAttachType.LsmMac, ProgramSectionFlags.AttachBtf),
        new("lsm.s+", BpfProgramType.Lsm, BpfAttachType.LsmMac, ProgramSectionFlags.AttachBtf | ProgramSectionFlags.Sleepable),
        new("lsm_cgroup+", BpfProgramType.Lsm, BpfAttachType.LsmCgroup, ProgramSectionFlags.AttachBtf),
        new("iter+", BpfProgramType.Tracing, BpfAttachType.TraceIter, ProgramSectionFlags.AttachBtf),
        new("iter.s+", BpfProgramType.Tracing, BpfAttachType.TraceIter, ProgramSectionFlags.AttachBtf | ProgramSectionFlags.Sleepable),
        new("syscall", BpfProgramType.Syscall, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.Sleepable),
        new("xdp.frags/devmap", BpfProgramType.Xdp, BpfAttachType.XdpDevMap, ProgramSectionFlags.XdpFrags),
        new("xdp/devmap", BpfProgramType.Xdp, BpfAttachType.XdpDevMap, ProgramSectionFlags.Attachable),
        new("xdp.frags/cpumap", BpfProgramType.Xdp, BpfAttachType.XdpCpuMap, ProgramSectionFlags.XdpFrags),
        new("xdp/cpumap", BpfProgramType.Xdp, BpfAttachType.XdpCpuMap, ProgramSectionFlags.Attachable),
        new("xdp.frags", BpfProgramType.Xdp, BpfAttachType.Xdp, ProgramSectionFlags.XdpFrags),
        new("xdp", BpfProgramType.Xdp, BpfAttachType.Xdp, ProgramSectionFlags.AttachableOptional),
        new("perf_event", BpfProgramType.PerfEvent, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.None),
        new("lwt_in", BpfProgramType.LwtIn, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.None),
        new("lwt_out", BpfProgramType.LwtOut, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.None),
        new("lwt_xmit", BpfProgramType.LwtXmit, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.None),
        new("lwt_seg6local", BpfProgramType.LwtSeg6Local, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.None),
        new("sockops", BpfProgramType.SockOps, BpfAttachType.CgroupSockOps, ProgramSectionFlags.AttachableOptional),
        new("sk_skb/stream_parser", BpfProgramType.SkSkb, BpfAttachType.SkSkbStreamParser, ProgramSectionFlags.AttachableOptional),
        new("sk_skb/stream_verdict", BpfProgramType.SkSkb, BpfAttachType.SkSkbStreamVerdict, ProgramSectionFlags.AttachableOptional),
        new("sk_skb/verdict", BpfProgramType.SkSkb, BpfAttachType.SkSkbVerdict, ProgramSectionFlags.AttachableOptional),
        new("sk_skb", BpfProgramType.SkSkb, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.None),
        new("sk_msg", BpfProgramType.SkMsg, BpfAttachType.SkMsgVerdict, ProgramSectionFlags.AttachableOptional),
        new("lirc_mode2", BpfProgramType.LircMode2, BpfAttachType.LircMode2, ProgramSectionFlags.AttachableOptional),
        new("flow_dissector", BpfProgramType.FlowDissector, BpfAttachType.FlowDissector, ProgramSectionFlags.AttachableOptional),
        new("cgroup_skb/ingress", BpfProgramType.CgroupSkb, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.AttachableOptional),
        new("cgroup_skb/egress", BpfProgramType.CgroupSkb, BpfAttachType.CgroupInetEgress, ProgramSectionFlags.AttachableOptional),
        new("cgroup/skb", BpfProgramType.CgroupSkb, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.None),
        new("cgroup/sock_create", BpfProgramType.CgroupSock, BpfAttachType.CgroupInetSockCreate, ProgramSectionFlags.Attachable),
        new("cgroup/sock_release", BpfProgramType.CgroupSock, BpfAttachType.CgroupInetSockRelease, ProgramSectionFlags.Attachable),
        new("cgroup/sock", BpfProgramType.CgroupSock, BpfAttachType.CgroupInetSockCreate, ProgramSectionFlags.AttachableOptional),
        new("cgroup/post_bind4", BpfProgramType.CgroupSock, BpfAttachType.CgroupInet4PostBind, ProgramSectionFlags.Attachable),
        new("cgroup/post_bind6", BpfProgramType.CgroupSock, BpfAttachType.CgroupInet6PostBind, ProgramSectionFlags.Attachable),
        new("cgroup/bind4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Bind, ProgramSectionFlags.Attachable),
        new("cgroup/bind6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Bind, ProgramSectionFlags.Attachable),
        new("cgroup/connect4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Connect, ProgramSectionFlags.Attachable),
        new("cgroup/connect6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Connect, ProgramSectionFlags.Attachable),
        new("cgroup/connect_unix", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUnixConnect, ProgramSectionFlags.Attachable),
        new("cgroup/sendmsg4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp4Sendmsg, ProgramSectionFlags.Attachable),
        new("cgroup/sendmsg6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp6Sendmsg, ProgramSectionFlags.Attachable),
        new("cgroup/sendmsg_unix", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUnixSendmsg, ProgramSectionFlags.Attachable),
        new("cgroup/recvmsg4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp4Recvmsg, ProgramSectionFlags.Attachable),
        new("cgroup/recvmsg6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp6Recvmsg, ProgramSectionFlags.Attachable),
        new("cgroup/recvmsg_unix", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUnixRecvmsg, ProgramSectionFlags.Attachable),
        new("cgroup/getpeername4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Getpeername, ProgramSectionFlags.Attachable),
        new("cgroup/getpeername6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Getpeername, ProgramSectionFlags.Attachable),
        new("cgroup/getpeername_unix", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUnixGetpeername, ProgramSectionFlags.Attachable),
        new("cgroup/getsockname4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Getsockname, ProgramSectionFlags.Attachable),
        new("cgroup/getsockname6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Getsockname, ProgramSectionFlags.Attachable),
        new("cgroup/getsockname_unix", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUnixGetsockname, ProgramSectionFlags.Attachable),
        new("cgroup/sysctl", BpfProgramType.CgroupSysctl, BpfAttachType.CgroupSysctl, ProgramSectionFlags.Attachable),
        new("cgroup/getsockopt", BpfProgramType.CgroupSockopt, BpfAttachType.CgroupGetsockopt, ProgramSectionFlags.Attachable),
        new("cgroup/setsockopt", BpfProgramType.CgroupSockopt, BpfAttachType.CgroupSetsockopt, ProgramSectionFlags.Attachable),
        new("cgroup/dev", BpfProgramType.CgroupDevice, BpfAttachType.CgroupDevice, ProgramSectionFlags.AttachableOptional),
        new("struct_ops+", BpfProgramType.StructOps, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.None),
        new("struct_ops.s+", BpfProgramType.StructOps, BpfAttachType.CgroupInetIngress, ProgramSectionFlags.Sleepable),
        new("sk_lookup", BpfProgramType.SkLookup, BpfAttachType.SkLookup, ProgramSectionFlags.Attachable),
        new("netfilter", BpfProgramType.Netfilter, BpfAttachType.Netfilter, ProgramSectionFlags.None),
    ];

    /// <summary>The definition a section name maps to (libbpf's <c>find_sec_def</c>), or null.</summary>
    public static ProgramSectionDefinition? Find(string sectionName)
    {
        foreach (var d in All)
            if (d.Matches(sectionName)) return d;
        return null;
    }
}
