namespace BpfSharp.Kernel;

/// <summary><c>SEC("sockops")</c>: TCP events of sockets in a cgroup; the context is <see cref="SockOps"/>.</summary>
public sealed class SockOpsAttribute() : BpfProgramAttribute("sockops");

/// <summary><c>SEC("sk_msg")</c>: messages sent on sockets of a sockmap/sockhash; the context is <see cref="SkMsgMd"/>.</summary>
public sealed class SkMsgAttribute() : BpfProgramAttribute("sk_msg");

/// <summary>The sk_skb hooks of a sockmap/sockhash.</summary>
public enum SkSkbKind
{
    /// <summary><c>sk_skb/stream_parser</c>: returns the length of the next message in the stream.</summary>
    StreamParser,
    /// <summary><c>sk_skb/stream_verdict</c>: passes, drops or redirects each parsed message.</summary>
    StreamVerdict,
    /// <summary><c>sk_skb/verdict</c>: the verdict without a parser (TCP and UDP).</summary>
    Verdict,
}

/// <summary><c>SEC("sk_skb/…")</c>: socket buffers received by sockets of a sockmap/sockhash; the context is <see cref="SkBuff"/>.</summary>
public sealed class SkSkbAttribute(SkSkbKind kind) : BpfProgramAttribute(kind switch
{
    SkSkbKind.StreamParser => "sk_skb/stream_parser",
    SkSkbKind.StreamVerdict => "sk_skb/stream_verdict",
    _ => "sk_skb/verdict",
});

/// <summary><c>SEC("sk_lookup")</c>: picks the socket for new connections in a network namespace; the context is <see cref="SkLookup"/>.</summary>
public sealed class SkLookupAttribute() : BpfProgramAttribute("sk_lookup");

/// <summary>The cgroup sock hooks (context <see cref="BpfSock"/>).</summary>
public enum CgroupSockHook
{
    /// <summary><c>cgroup/sock_create</c>: a socket is created.</summary>
    Create,
    /// <summary><c>cgroup/sock_release</c>: a socket is released.</summary>
    Release,
    /// <summary><c>cgroup/post_bind4</c>: after an IPv4 bind.</summary>
    PostBind4,
    /// <summary><c>cgroup/post_bind6</c>: after an IPv6 bind.</summary>
    PostBind6,
}

/// <summary><c>SEC("cgroup/sock_create")</c> etc.; the context is <see cref="BpfSock"/>; return 1 to allow, 0 to refuse.</summary>
public sealed class CgroupSockAttribute(CgroupSockHook hook) : BpfProgramAttribute(hook switch
{
    CgroupSockHook.Create => "cgroup/sock_create",
    CgroupSockHook.Release => "cgroup/sock_release",
    CgroupSockHook.PostBind4 => "cgroup/post_bind4",
    _ => "cgroup/post_bind6",
});

/// <summary>The cgroup sock_addr hooks (context <see cref="SockAddr"/>).</summary>
public enum CgroupSockAddrHook
{
    /// <summary><c>cgroup/bind4</c>.</summary>
    Bind4,
    /// <summary><c>cgroup/bind6</c>.</summary>
    Bind6,
    /// <summary><c>cgroup/connect4</c>.</summary>
    Connect4,
    /// <summary><c>cgroup/connect6</c>.</summary>
    Connect6,
    /// <summary><c>cgroup/connect_unix</c>.</summary>
    ConnectUnix,
    /// <summary><c>cgroup/sendmsg4</c> (UDP).</summary>
    Sendmsg4,
    /// <summary><c>cgroup/sendmsg6</c> (UDP).</summary>
    Sendmsg6,
    /// <summary><c>cgroup/sendmsg_unix</c>.</summary>
    SendmsgUnix,
    /// <summary><c>cgroup/recvmsg4</c> (UDP).</summary>
    Recvmsg4,
    /// <summary><c>cgroup/recvmsg6</c> (UDP).</summary>
    Recvmsg6,
    /// <summary><c>cgroup/recvmsg_unix</c>.</summary>
    RecvmsgUnix,
    /// <summary><c>cgroup/getpeername4</c>.</summary>
    Getpeername4,
    /// <summary><c>cgroup/getpeername6</c>.</summary>
    Getpeername6,
    /// <summary><c>cgroup/getpeername_unix</c>.</summary>
    GetpeernameUnix,
    /// <summary><c>cgroup/getsockname4</c>.</summary>
    Getsockname4,
    /// <summary><c>cgroup/getsockname6</c>.</summary>
    Getsockname6,
    /// <summary><c>cgroup/getsockname_unix</c>.</summary>
    GetsocknameUnix,
}

/// <summary><c>SEC("cgroup/connect4")</c> etc.; the context is <see cref="SockAddr"/>; return 1 to allow, 0 to refuse.</summary>
public sealed class CgroupSockAddrAttribute(CgroupSockAddrHook hook) : BpfProgramAttribute("cgroup/" + hook switch
{
    CgroupSockAddrHook.Bind4 => "bind4",
    CgroupSockAddrHook.Bind6 => "bind6",
    CgroupSockAddrHook.Connect4 => "connect4",
    CgroupSockAddrHook.Connect6 => "connect6",
    CgroupSockAddrHook.ConnectUnix => "connect_unix",
    CgroupSockAddrHook.Sendmsg4 => "sendmsg4",
    CgroupSockAddrHook.Sendmsg6 => "sendmsg6",
    CgroupSockAddrHook.SendmsgUnix => "sendmsg_unix",
    CgroupSockAddrHook.Recvmsg4 => "recvmsg4",
    CgroupSockAddrHook.Recvmsg6 => "recvmsg6",
    CgroupSockAddrHook.RecvmsgUnix => "recvmsg_unix",
    CgroupSockAddrHook.Getpeername4 => "getpeername4",
    CgroupSockAddrHook.Getpeername6 => "getpeername6",
    CgroupSockAddrHook.GetpeernameUnix => "getpeername_unix",
    CgroupSockAddrHook.Getsockname4 => "getsockname4",
    CgroupSockAddrHook.Getsockname6 => "getsockname6",
    _ => "getsockname_unix",
});

/// <summary><c>SEC("cgroup/sysctl")</c>: sysctl reads and writes; the context is <see cref="Sysctl"/>.</summary>
public sealed class CgroupSysctlAttribute() : BpfProgramAttribute("cgroup/sysctl");

/// <summary><c>SEC("cgroup/getsockopt")</c> or <c>SEC("cgroup/setsockopt")</c>; the context is <see cref="Sockopt"/>.</summary>
public sealed class CgroupSockoptAttribute(bool set) : BpfProgramAttribute(set ? "cgroup/setsockopt" : "cgroup/getsockopt");

/// <summary><c>SEC("cgroup/dev")</c>: device access; the context is <see cref="CgroupDeviceContext"/>.</summary>
public sealed class CgroupDeviceAttribute() : BpfProgramAttribute("cgroup/dev");

/// <summary>
/// <c>SEC("sk_reuseport")</c> or, with <paramref name="migrate"/>, <c>SEC("sk_reuseport/migrate")</c>: picks the
/// socket of an <c>SO_REUSEPORT</c> group (and, for migrate, where a closing listener's connections go); the
/// context is <see cref="SkReuseportMd"/>.
/// </summary>
public sealed class SkReuseportAttribute(bool migrate = false) : BpfProgramAttribute(migrate ? "sk_reuseport/migrate" : "sk_reuseport");

/// <summary>The lightweight-tunnel hooks of a route with <c>encap bpf</c> (context <see cref="SkBuff"/>).</summary>
public enum LwtHook
{
    /// <summary><c>lwt_in</c>: packets the route delivers or forwards (input path); may only read and drop.</summary>
    In,
    /// <summary><c>lwt_out</c>: locally sent packets that take the route (output path); may only read and drop.</summary>
    Out,
    /// <summary><c>lwt_xmit</c>: packets about to leave through the route's device; may change and redirect them.</summary>
    Xmit,
    /// <summary><c>lwt_seg6local</c>: the <c>End.BPF</c> action of an IPv6 segment-routing local route.</summary>
    Seg6Local,
}

/// <summary><c>SEC("lwt_in")</c>, <c>lwt_out</c>, <c>lwt_xmit</c> or <c>lwt_seg6local</c>; the context is <see cref="SkBuff"/>; return <c>BPF_OK</c> (0), <c>BPF_DROP</c> (2) or <c>BPF_REDIRECT</c> (7).</summary>
public sealed class LwtAttribute(LwtHook hook) : BpfProgramAttribute(hook switch
{
    LwtHook.In => "lwt_in",
    LwtHook.Out => "lwt_out",
    LwtHook.Xmit => "lwt_xmit",
    _ => "lwt_seg6local",
});

/// <summary>
/// <c>SEC("netkit/primary")</c> or, with <paramref name="peer"/>, <c>SEC("netkit/peer")</c>: a program of a netkit
/// device pair (6.7+), run for what the primary or the peer device transmits; the context is <see cref="SkBuff"/>;
/// return <c>TCX_NEXT</c> (-1), <c>TCX_PASS</c> (0), <c>TCX_DROP</c> (2) or <c>TCX_REDIRECT</c> (7).
/// </summary>
public sealed class NetkitAttribute(bool peer = false) : BpfProgramAttribute(peer ? "netkit/peer" : "netkit/primary");
