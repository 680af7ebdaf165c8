namespace BpfSharp.Linux.Loading;

/// <summary>Extra properties a section definition gives a program (libbpf's <c>SEC_*</c> flags).</summary>
[Flags]
public enum ProgramSectionFlags
{
    /// <summary>Nothing special.</summary>
    None = 0,
    /// <summary>The attach target is a kernel BTF id derived from the text after the prefix (fentry, tp_btf, lsm, iter).</summary>
    AttachBtf = 1 << 0,
    /// <summary>Loaded with <c>BPF_F_SLEEPABLE</c>.</summary>
    Sleepable = 1 << 1,
    /// <summary>Loaded with <c>BPF_F_XDP_HAS_FRAGS</c>.</summary>
    XdpFrags = 1 << 2,
}

/// <summary>One row of the section-name table.</summary>
/// <param name="Pattern">libbpf's pattern: a trailing '+' matches the name alone or followed by '/...'; a trailing '/'
/// needs extra text; anything else must match exactly.</param>
/// <param name="ProgramType">The program type.</param>
/// <param name="ExpectedAttachType">The expected attach type (null: none).</param>
/// <param name="Flags">Extra properties.</param>
public sealed record ProgramSectionDefinition(string Pattern, BpfProgramType ProgramType, BpfAttachType? ExpectedAttachType,
    ProgramSectionFlags Flags = ProgramSectionFlags.None)
{
    /// <summary>True if <paramref name="sectionName"/> (without a leading '?') matches this row (libbpf's <c>sec_def_matches</c>).</summary>
    public bool Matches(string sectionName)
    {
        var p = Pattern;
        if (p.EndsWith('/')) return sectionName.StartsWith(p, StringComparison.Ordinal);
        if (p.EndsWith('+'))
        {
            var prefix = p.AsSpan(0, p.Length - 1);
            if (!sectionName.AsSpan().StartsWith(prefix, StringComparison.Ordinal)) return false;
            return sectionName.Length == prefix.Length || sectionName[prefix.Length] == '/';
        }
        return sectionName == p;
    }

    /// <summary>The text after the pattern's prefix and its '/' (the attach target, e.g. the function of <c>fentry/do_unlinkat</c>), or empty.</summary>
    public string TargetOf(string sectionName)
    {
        int len = Pattern.TrimEnd('+', '/').Length;
        return sectionName.Length > len + 1 ? sectionName[(len + 1)..] : "";
    }
}

/// <summary>
/// The one table from ELF section name to program type, expected attach type and flags, in libbpf's order (first
/// match wins, so specific rows precede general ones).
/// </summary>
public static class ProgramSectionTable
{
    private static readonly ProgramSectionDefinition[] Rows = Build();

    /// <summary>All rows, in matching order.</summary>
    public static IReadOnlyList<ProgramSectionDefinition> Definitions => Rows;

    /// <summary>The row for a section name (a leading '?' — not autoloaded — is ignored), or null if no row matches.</summary>
    public static ProgramSectionDefinition? Find(string sectionName)
    {
        ArgumentNullException.ThrowIfNull(sectionName);
        if (sectionName.StartsWith('?')) sectionName = sectionName[1..];
        foreach (var row in Rows) if (row.Matches(sectionName)) return row;
        return null;
    }

    private static ProgramSectionDefinition[] Build()
    {
        const ProgramSectionFlags Btf = ProgramSectionFlags.AttachBtf, Sl = ProgramSectionFlags.Sleepable, Frags = ProgramSectionFlags.XdpFrags;
        var r = new List<ProgramSectionDefinition>();
        void Add(string pattern, BpfProgramType type, BpfAttachType? attach = null, ProgramSectionFlags flags = 0) =>
            r.Add(new ProgramSectionDefinition(pattern, type, attach, flags));

        Add("socket", BpfProgramType.SocketFilter);
        Add("sk_reuseport/migrate", BpfProgramType.SkReuseport, BpfAttachType.SkReuseportSelectOrMigrate);
        Add("sk_reuseport", BpfProgramType.SkReuseport, BpfAttachType.SkReuseportSelect);
        Add("kprobe+", BpfProgramType.Kprobe);
        Add("uprobe+", BpfProgramType.Kprobe);
        Add("uprobe.s+", BpfProgramType.Kprobe, null, Sl);
        Add("kretprobe+", BpfProgramType.Kprobe);
        Add("uretprobe+", BpfProgramType.Kprobe);
        Add("uretprobe.s+", BpfProgramType.Kprobe, null, Sl);
        Add("kprobe.multi+", BpfProgramType.Kprobe, BpfAttachType.TraceKprobeMulti);
        Add("kretprobe.multi+", BpfProgramType.Kprobe, BpfAttachType.TraceKprobeMulti);
        Add("kprobe.session+", BpfProgramType.Kprobe, BpfAttachType.TraceKprobeSession);
        Add("uprobe.multi+", BpfProgramType.Kprobe, BpfAttachType.TraceUprobeMulti);
        Add("uretprobe.multi+", BpfProgramType.Kprobe, BpfAttachType.TraceUprobeMulti);
        Add("uprobe.session+", BpfProgramType.Kprobe, BpfAttachType.TraceUprobeSession);
        Add("uprobe.multi.s+", BpfProgramType.Kprobe, BpfAttachType.TraceUprobeMulti, Sl);
        Add("uretprobe.multi.s+", BpfProgramType.Kprobe, BpfAttachType.TraceUprobeMulti, Sl);
        Add("uprobe.session.s+", BpfProgramType.Kprobe, BpfAttachType.TraceUprobeSession, Sl);
        Add("ksyscall+", BpfProgramType.Kprobe);
        Add("kretsyscall+", BpfProgramType.Kprobe);
        Add("usdt+", BpfProgramType.Kprobe);
        Add("usdt.s+", BpfProgramType.Kprobe, null, Sl);
        Add("tc/ingress", BpfProgramType.SchedCls, BpfAttachType.TcxIngress);
        Add("tc/egress", BpfProgramType.SchedCls, BpfAttachType.TcxEgress);
        Add("tcx/ingress", BpfProgramType.SchedCls, BpfAttachType.TcxIngress);
        Add("tcx/egress", BpfProgramType.SchedCls, BpfAttachType.TcxEgress);
        Add("tc", BpfProgramType.SchedCls);
        Add("classifier", BpfProgramType.SchedCls);
        Add("action", BpfProgramType.SchedAct);
        Add("netkit/primary", BpfProgramType.SchedCls, BpfAttachType.NetkitPrimary);
        Add("netkit/peer", BpfProgramType.SchedCls, BpfAttachType.NetkitPeer);
        Add("tracepoint+", BpfProgramType.Tracepoint);
        Add("tp+", BpfProgramType.Tracepoint);
        Add("raw_tracepoint+", BpfProgramType.RawTracepoint);
        Add("raw_tp+", BpfProgramType.RawTracepoint);
        Add("raw_tracepoint.w+", BpfProgramType.RawTracepointWritable);
        Add("raw_tp.w+", BpfProgramType.RawTracepointWritable);
        Add("tp_btf+", BpfProgramType.Tracing, BpfAttachType.TraceRawTp, Btf);
        Add("fentry+", BpfProgramType.Tracing, BpfAttachType.TraceFentry, Btf);
        Add("fmod_ret+", BpfProgramType.Tracing, BpfAttachType.ModifyReturn, Btf);
        Add("fexit+", BpfProgramType.Tracing, BpfAttachType.TraceFexit, Btf);
        Add("fentry.s+", BpfProgramType.Tracing, BpfAttachType.TraceFentry, Btf | Sl);
        Add("fmod_ret.s+", BpfProgramType.Tracing, BpfAttachType.ModifyReturn, Btf | Sl);
        Add("fexit.s+", BpfProgramType.Tracing, BpfAttachType.TraceFexit, Btf | Sl);
        Add("freplace+", BpfProgramType.Ext, null, Btf);
        Add("lsm+", BpfProgramType.Lsm, BpfAttachType.LsmMac, Btf);
        Add("lsm.s+", BpfProgramType.Lsm, BpfAttachType.LsmMac, Btf | Sl);
        Add("lsm_cgroup+", BpfProgramType.Lsm, BpfAttachType.LsmCgroup, Btf);
        Add("iter+", BpfProgramType.Tracing, BpfAttachType.TraceIter, Btf);
        Add("iter.s+", BpfProgramType.Tracing, BpfAttachType.TraceIter, Btf | Sl);
        Add("syscall", BpfProgramType.Syscall, null, Sl);
        Add("xdp.frags/devmap", BpfProgramType.Xdp, BpfAttachType.XdpDevMap, Frags);
        Add("xdp/devmap", BpfProgramType.Xdp, BpfAttachType.XdpDevMap);
        Add("xdp.frags/cpumap", BpfProgramType.Xdp, BpfAttachType.XdpCpuMap, Frags);
        Add("xdp/cpumap", BpfProgramType.Xdp, BpfAttachType.XdpCpuMap);
        Add("xdp.frags", BpfProgramType.Xdp, BpfAttachType.Xdp, Frags);
        Add("xdp", BpfProgramType.Xdp, BpfAttachType.Xdp);
        Add("perf_event", BpfProgramType.PerfEvent);
        Add("lwt_in", BpfProgramType.LwtIn);
        Add("lwt_out", BpfProgramType.LwtOut);
        Add("lwt_xmit", BpfProgramType.LwtXmit);
        Add("lwt_seg6local", BpfProgramType.LwtSeg6Local);
        Add("sockops", BpfProgramType.SockOps, BpfAttachType.CgroupSockOps);
        Add("sk_skb/stream_parser", BpfProgramType.SkSkb, BpfAttachType.SkSkbStreamParser);
        Add("sk_skb/stream_verdict", BpfProgramType.SkSkb, BpfAttachType.SkSkbStreamVerdict);
        Add("sk_skb/verdict", BpfProgramType.SkSkb, BpfAttachType.SkSkbVerdict);
        Add("sk_skb", BpfProgramType.SkSkb);
        Add("sk_msg", BpfProgramType.SkMsg, BpfAttachType.SkMsgVerdict);
        Add("lirc_mode2", BpfProgramType.LircMode2, BpfAttachType.LircMode2);
        Add("flow_dissector", BpfProgramType.FlowDissector, BpfAttachType.FlowDissector);
        Add("cgroup_skb/ingress", BpfProgramType.CgroupSkb, BpfAttachType.CgroupInetIngress);
        Add("cgroup_skb/egress", BpfProgramType.CgroupSkb, BpfAttachType.CgroupInetEgress);
        Add("cgroup/skb", BpfProgramType.CgroupSkb);
        Add("cgroup/sock_create", BpfProgramType.CgroupSock, BpfAttachType.CgroupInetSockCreate);
        Add("cgroup/sock_release", BpfProgramType.CgroupSock, BpfAttachType.CgroupInetSockRelease);
        Add("cgroup/sock", BpfProgramType.CgroupSock, BpfAttachType.CgroupInetSockCreate);
        Add("cgroup/post_bind4", BpfProgramType.CgroupSock, BpfAttachType.CgroupInet4PostBind);
        Add("cgroup/post_bind6", BpfProgramType.CgroupSock, BpfAttachType.CgroupInet6PostBind);
        Add("cgroup/bind4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Bind);
        Add("cgroup/bind6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Bind);
        Add("cgroup/connect4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Connect);
        Add("cgroup/connect6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Connect);
        Add("cgroup/connect_unix", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUnixConnect);
        Add("cgroup/sendmsg4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp4Sendmsg);
        Add("cgroup/sendmsg6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp6Sendmsg);
        Add("cgroup/sendmsg_unix", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUnixSendmsg);
        Add("cgroup/recvmsg4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp4Recvmsg);
        Add("cgroup/recvmsg6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp6Recvmsg);
        Add("cgroup/recvmsg_unix", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUnixRecvmsg);
        Add("cgroup/getpeername4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Getpeername);
        Add("cgroup/getpeername6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Getpeername);
        Add("cgroup/getpeername_unix", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUnixGetpeername);
        Add("cgroup/getsockname4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Getsockname);
        Add("cgroup/getsockname6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Getsockname);
        Add("cgroup/getsockname_unix", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUnixGetsockname);
        Add("cgroup/sysctl", BpfProgramType.CgroupSysctl, BpfAttachType.CgroupSysctl);
        Add("cgroup/getsockopt", BpfProgramType.CgroupSockopt, BpfAttachType.CgroupGetsockopt);
        Add("cgroup/setsockopt", BpfProgramType.CgroupSockopt, BpfAttachType.CgroupSetsockopt);
        Add("cgroup/dev", BpfProgramType.CgroupDevice, BpfAttachType.CgroupDevice);
        Add("struct_ops+", BpfProgramType.StructOps);
        Add("struct_ops.s+", BpfProgramType.StructOps, null, Sl);
        Add("sk_lookup", BpfProgramType.SkLookup, BpfAttachType.SkLookup);
        Add("netfilter", BpfProgramType.Netfilter, BpfAttachType.Netfilter);
        return [.. r];
    }
}
