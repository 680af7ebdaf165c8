using System.Net;
using System.Net.Sockets;
using BpfSharp.Objects;

namespace BpfSharp.Linux.Links;

/// <summary>
/// Where a networking or cgroup program goes, for <see cref="SectionAttach.Attach(BpfProgram, string, AttachTarget)"/>:
/// the section name says the hook, this says the cgroup, interface, namespace or map.
/// </summary>
public sealed record AttachTarget
{
    /// <summary>A cgroup v2 directory (cgroup_skb, cgroup/*, sockops).</summary>
    public string? CgroupPath { get; init; }

    /// <summary>An interface index (xdp, tc, tcx).</summary>
    public int InterfaceIndex { get; init; }

    /// <summary>The XDP mode for <c>xdp</c> sections (the kernel's choice by default).</summary>
    public XdpAttachMode XdpMode { get; init; }

    /// <summary>For the direction-less <c>tc</c> and <c>classifier</c> sections: ingress (default) or egress.</summary>
    public bool Ingress { get; init; } = true;

    /// <summary>A network namespace file (sk_lookup, flow_dissector); null for the calling thread's.</summary>
    public string? NamespacePath { get; init; }

    /// <summary>A sockmap or sockhash (sk_msg, sk_skb/*).</summary>
    public BpfMap? Map { get; init; }

    /// <summary>A bound socket with <c>SO_REUSEPORT</c> whose group the program serves (sk_reuseport, sk_reuseport/migrate).</summary>
    public Socket? Socket { get; init; }

    /// <summary>The destination of the route an lwt program runs for (lwt_in, lwt_out, lwt_xmit); the route goes through <see cref="InterfaceIndex"/>.</summary>
    public IPNetwork? RouteDestination { get; init; }

    /// <summary>The route's next hop, or null for a directly connected destination.</summary>
    public IPAddress? RouteGateway { get; init; }

    /// <summary>The cgroup v2 directory <paramref name="path"/>.</summary>
    public static AttachTarget Cgroup(string path) => new() { CgroupPath = path };

    /// <summary>The interface <paramref name="index"/>.</summary>
    public static AttachTarget Interface(int index, bool ingress = true) => new() { InterfaceIndex = index, Ingress = ingress };

    /// <summary>The network namespace file at <paramref name="path"/> (null: the calling thread's).</summary>
    public static AttachTarget Namespace(string? path = null) => new() { NamespacePath = path };

    /// <summary>The sockmap or sockhash <paramref name="map"/>.</summary>
    public static AttachTarget SocketMap(BpfMap map) => new() { Map = map };

    /// <summary>The <c>SO_REUSEPORT</c> group of <paramref name="socket"/>.</summary>
    public static AttachTarget ReuseportGroup(Socket socket) => new() { Socket = socket };

    /// <summary>A new route to <paramref name="destination"/> through interface <paramref name="interfaceIndex"/> (via <paramref name="gateway"/>).</summary>
    public static AttachTarget Route(IPNetwork destination, int interfaceIndex, IPAddress? gateway = null) =>
        new() { RouteDestination = destination, InterfaceIndex = interfaceIndex, RouteGateway = gateway };
}

public static partial class SectionAttach
{
    /// <summary>
    /// Attaches a networking or cgroup program where its section says, on <paramref name="target"/>. The hook comes
    /// from libbpf's section table (the expected attach type of <c>cgroup/connect4</c>, <c>sockops</c>,
    /// <c>sk_msg</c>, <c>sk_skb/stream_verdict</c>, ...); the link kind from the program type: cgroup programs get a
    /// <see cref="CgroupLink"/>, sk_lookup and flow_dissector a <see cref="NetnsLink"/>, sk_msg and sk_skb a
    /// <see cref="SockMapAttachment"/>, xdp an <see cref="XdpLink"/>, tc/tcx a <see cref="TcxLink"/>, netkit a
    /// <see cref="NetkitLink"/>, lwt_in/out/xmit an <see cref="LwtRoute"/> (a new route with <c>encap bpf</c>),
    /// sk_reuseport a <see cref="ReuseportAttachment"/>. Sections that
    /// <see cref="Attach(BpfProgram, string)"/> handles ignore the target.
    /// </summary>
    /// <exception cref="NotSupportedException">The section names no hook this can attach to, or the target lacks what it needs.</exception>
    /// <exception cref="BpfAttachException">Attaching failed outside bpf().</exception>
    /// <exception cref="BpfSyscallException">The kernel refused.</exception>
    public static BpfLink Attach(BpfProgram program, string sectionName, AttachTarget target)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(target);
        if (CanAttach(sectionName)) return Attach(program, sectionName);
        var definition = ProgramSectionDefinition.Find(sectionName)
            ?? throw new NotSupportedException($"section '{sectionName}' is not in libbpf's section table");
        switch (definition.ProgramType)
        {
            case BpfProgramType.CgroupSkb:
            case BpfProgramType.CgroupSock:
            case BpfProgramType.CgroupSockAddr:
            case BpfProgramType.SockOps:
            case BpfProgramType.CgroupSysctl:
            case BpfProgramType.CgroupSockopt:
            case BpfProgramType.CgroupDevice:
                if (target.CgroupPath is null) throw new NotSupportedException($"section '{sectionName}' attaches to a cgroup: set AttachTarget.CgroupPath");
                return CgroupLink.Attach(program, target.CgroupPath, definition.ExpectedAttachType);
            case BpfProgramType.SkLookup:
            case BpfProgramType.FlowDissector:
                return NetnsLink.Attach(program, definition.ExpectedAttachType, target.NamespacePath ?? NetnsLink.CurrentNamespace);
            case BpfProgramType.SkMsg:
            case BpfProgramType.SkSkb:
                // Plain "sk_skb" carries no hook (libbpf leaves its attach type unset).
                if (definition.Prefix == "sk_skb") throw new NotSupportedException($"section '{sectionName}' names no sk_skb hook: use sk_skb/stream_parser, sk_skb/stream_verdict or sk_skb/verdict");
                if (target.Map is null) throw new NotSupportedException($"section '{sectionName}' attaches to a sockmap or sockhash: set AttachTarget.Map");
                return SockMapAttachment.Attach(program, target.Map, definition.ExpectedAttachType);
            case BpfProgramType.Xdp when definition.ExpectedAttachType == BpfAttachType.Xdp:
                return XdpLink.Attach(program, RequireInterface(target, sectionName), target.XdpMode);
            case BpfProgramType.SchedCls when definition.ExpectedAttachType is BpfAttachType.TcxIngress or BpfAttachType.TcxEgress:
                return TcxLink.Attach(program, RequireInterface(target, sectionName), definition.ExpectedAttachType == BpfAttachType.TcxIngress);
            case BpfProgramType.SchedCls when definition.ExpectedAttachType is BpfAttachType.NetkitPrimary or BpfAttachType.NetkitPeer:
                return NetkitLink.Attach(program, RequireInterface(target, sectionName), definition.ExpectedAttachType == BpfAttachType.NetkitPeer);
            case BpfProgramType.LwtIn:
            case BpfProgramType.LwtOut:
            case BpfProgramType.LwtXmit:
                if (target.RouteDestination is not { } destination) throw new NotSupportedException($"section '{sectionName}' runs on a route: set AttachTarget.RouteDestination and InterfaceIndex");
                return LwtRoute.Add(program, destination, RequireInterface(target, sectionName), target.RouteGateway);
            case BpfProgramType.SkReuseport:
                if (target.Socket is null) throw new NotSupportedException($"section '{sectionName}' attaches to an SO_REUSEPORT group: set AttachTarget.Socket");
                return ReuseportAttachment.Attach(target.Socket, program);
            case BpfProgramType.SchedCls when definition.Prefix is "tc" or "classifier":
                return TcxLink.Attach(program, RequireInterface(target, sectionName), target.Ingress);
            default:
                throw new NotSupportedException($"section '{sectionName}' ({definition.ProgramType}) is not attached by section name; attach the program explicitly");
        }
    }

    private static int RequireInterface(AttachTarget target, string sectionName) =>
        target.InterfaceIndex > 0 ? target.InterfaceIndex
            : throw new NotSupportedException($"section '{sectionName}' attaches to a network interface: set AttachTarget.InterfaceIndex");
}
