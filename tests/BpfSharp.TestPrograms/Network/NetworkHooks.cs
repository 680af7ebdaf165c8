using BpfSharp.Kernel;

namespace BpfSharp.TestPrograms.Network;

/// <summary>
/// Networking and cgroup programs for the attach tests: each counts in <see cref="Counters"/> (indexes in
/// <see cref="NetworkHookSlots"/>) and reads its ports from <see cref="Config"/>, which the tests fill after load.
/// </summary>
public static unsafe class NetworkHooks
{
    public static readonly ArrayMap<ulong> Counters = new(maxEntries: 32);
    public static readonly ArrayMap<uint> Config = new(maxEntries: 4);
    static readonly SockHash<uint> Sockets = new(maxEntries: 2);
    static readonly SockMap Listeners = new(maxEntries: 1);
    static readonly DevMap Ports = new(maxEntries: 1);
    static readonly DevMapHash PortsById = new(maxEntries: 1);
    static readonly CpuMap Cpus = new(maxEntries: 1);
    static readonly XskMap XdpSockets = new(maxEntries: 1);

    const int SolIp = 0;
    const int IpTtl = 2;

    static void Count(uint slot, ulong amount = 1)
    {
        ulong* counter = Counters.Lookup(slot);
        if (counter != null)
        {
            System.Threading.Interlocked.Add(ref *counter, amount);
        }
    }

    static uint Setting(uint slot)
    {
        uint* value = Config.Lookup(slot);
        return value != null ? *value : 0;
    }

    [Tc]
    public static int TcCount(SkBuff* skb)
    {
        Count(0);
        return (int)Setting(2);
    }

    [Tc]
    public static int TcCountOther(SkBuff* skb)
    {
        Count(13);
        return 0;
    }

    [Xdp]
    public static int XdpCount(XdpMd* ctx)
    {
        Count(1);
        return (int)XdpAction.Pass;
    }

    [Xdp]
    public static int XdpToDevMap(XdpMd* ctx)
    {
        Count(12);
        return (int)Ports.Redirect(0, (ulong)XdpAction.Pass);
    }

    [Xdp]
    public static int XdpToDevMapHash(XdpMd* ctx) => (int)PortsById.Redirect(7, (ulong)XdpAction.Pass);

    // To CPU 0 when the cpumap has it, else dropped.
    [Xdp]
    public static int XdpToCpuMap(XdpMd* ctx)
    {
        Count(14);
        return (int)Cpus.Redirect(0, (ulong)XdpAction.Drop);
    }

    [Xdp]
    public static int XdpToXskMap(XdpMd* ctx) => (int)XdpSockets.Redirect(ctx->RxQueueIndex, (ulong)XdpAction.Pass);

    // Config[0]: the port to rewrite, Config[1]: its replacement, both in network byte order as user_port holds them.
    [CgroupSockAddr(CgroupSockAddrHook.Connect4)]
    public static int RewriteConnectPort(SockAddr* ctx)
    {
        if (ctx->Protocol == 6 && ctx->UserPort == Setting(0))
        {
            ctx->UserPort = Setting(1);
            Count(2);
        }

        return 1;
    }

    [SockOps]
    public static int AddEstablished(SockOps* ops)
    {
        if (ops->Op == (uint)SockOpsOp.ActiveEstablished)
        {
            Count(3);
            uint key = 1;
            if (Sockets.Update(ops, key) == 0)
            {
                Count(15);
            }
        }

        return 1;
    }

    // A message starting with 'R' goes back to its sender's own receive queue (the socket under key 0).
    [SkMsg]
    public static int RedirectMarkedMessages(SkMsgMd* msg)
    {
        Count(4);
        Count(5, msg->Size);
        byte* data = msg->DataPointer;
        if (data + 1 <= msg->DataEndPointer && data[0] == (byte)'R')
        {
            Count(6);
            uint self = 0;
            return (int)Sockets.RedirectMessage(msg, self, 1);
        }

        return SkAction.Pass;
    }

    // Reads pass; writes to a sysctl whose base name starts with "ip_defau" (ip_default_ttl) are refused.
    [CgroupSysctl]
    public static int ReadOnlySysctls(Sysctl* ctx)
    {
        ulong* name = stackalloc ulong[4];
        long length = Bpf.SysctlGetName(ctx, (byte*)name, 32, 1);
        if (length > 0)
        {
            ulong* last = Counters.Lookup(16);
            if (last != null)
            {
                *last = (ulong)length;
            }
        }

        if (ctx->Write != 0)
        {
            if (length >= 8 && name[0] == 0x75616665645f7069)
            {
                Count(8);
                return 0;
            }

            return 1;
        }

        Count(7);
        return 1;
    }

    // getsockopt(IP_TTL) answers 77 whatever the socket holds.
    [CgroupSockopt(false)]
    public static int ReportTtl(Sockopt* ctx)
    {
        Count(9);
        if (ctx->Level == SolIp && ctx->Optname == IpTtl)
        {
            byte* value = ctx->OptvalPointer;
            if (value + 4 <= ctx->OptvalEndPointer)
            {
                *(int*)value = 77;
                ctx->Optlen = 4;
                ctx->Retval = 0;
            }
        }

        return 1;
    }

    // setsockopt(IP_TTL, n) stores 99 instead.
    [CgroupSockopt(true)]
    public static int RewriteTtl(Sockopt* ctx)
    {
        Count(10);
        if (ctx->Level == SolIp && ctx->Optname == IpTtl)
        {
            byte* value = ctx->OptvalPointer;
            if (value + 4 <= ctx->OptvalEndPointer)
            {
                *(int*)value = 99;
            }
        }

        return 1;
    }

    // TCP connections to port Config[3] (host byte order, as local_port holds it) go to the socket in Listeners[0].
    [SkLookup]
    public static int SteerToListener(SkLookup* ctx)
    {
        if (ctx->Protocol != 6 || ctx->LocalPort != Setting(3))
        {
            return SkAction.Pass;
        }

        void* sk = Listeners.Lookup(0);
        if (sk == null)
        {
            return SkAction.Pass;
        }

        long err = Bpf.SkAssign(ctx, sk, 0);
        Bpf.SkRelease(sk);
        if (err != 0)
        {
            return SkAction.Drop;
        }

        Count(11);
        return SkAction.Pass;
    }

    [SkSkb(SkSkbKind.StreamParser)]
    public static int WholeBuffer(SkBuff* skb) => (int)skb->Len;

    // What a socket under key 0 receives goes back out of it (an echo the kernel does).
    [SkSkb(SkSkbKind.StreamVerdict)]
    public static int StreamToFirst(SkBuff* skb)
    {
        uint key = 0;
        return (int)Sockets.RedirectSkb(skb, key, 0);
    }

    // BPF_OK without dissecting: the test only attaches it to a namespace of its own.
    [BpfProgram("flow_dissector")]
    public static int DissectNothing(SkBuff* skb) => 0;

    // The same echo without a stream parser.
    [SkSkb(SkSkbKind.Verdict)]
    public static int EchoVerdict(SkBuff* skb)
    {
        uint key = 0;
        return (int)Sockets.RedirectSkb(skb, key, 0);
    }
}

/// <summary>One trivial program per cgroup hook, for the attach-by-section test against bpftool's listing.</summary>
public static unsafe class CgroupHooks
{
    [CgroupSkb("ingress")] public static int SkbIngress(SkBuff* skb) => 1;
    [CgroupSkb("egress")] public static int SkbEgress(SkBuff* skb) => 1;
    [CgroupSock(CgroupSockHook.Create)] public static int SockCreate(BpfSock* sk) => 1;
    [CgroupSock(CgroupSockHook.Release)] public static int SockRelease(BpfSock* sk) => 1;
    [CgroupSock(CgroupSockHook.PostBind4)] public static int PostBind4(BpfSock* sk) => sk->SrcPort != 1 ? 1 : 0;
    [CgroupSock(CgroupSockHook.PostBind6)] public static int PostBind6(BpfSock* sk) => 1;
    [CgroupSockAddr(CgroupSockAddrHook.Bind4)] public static int Bind4(SockAddr* ctx) => 1;
    [CgroupSockAddr(CgroupSockAddrHook.Bind6)] public static int Bind6(SockAddr* ctx) => 1;
    [CgroupSockAddr(CgroupSockAddrHook.Connect4)] public static int Connect4(SockAddr* ctx) => 1;
    [CgroupSockAddr(CgroupSockAddrHook.Connect6)] public static int Connect6(SockAddr* ctx) => 1;
    [CgroupSockAddr(CgroupSockAddrHook.ConnectUnix)] public static int ConnectUnix(SockAddr* ctx) => 1;
    [CgroupSockAddr(CgroupSockAddrHook.Sendmsg4)] public static int Sendmsg4(SockAddr* ctx) => 1;
    [CgroupSockAddr(CgroupSockAddrHook.Sendmsg6)] public static int Sendmsg6(SockAddr* ctx) => 1;
    [CgroupSockAddr(CgroupSockAddrHook.SendmsgUnix)] public static int SendmsgUnix(SockAddr* ctx) => 1;
    [CgroupSockAddr(CgroupSockAddrHook.Recvmsg4)] public static int Recvmsg4(SockAddr* ctx) => 1;
    [CgroupSockAddr(CgroupSockAddrHook.Recvmsg6)] public static int Recvmsg6(SockAddr* ctx) => 1;
    [CgroupSockAddr(CgroupSockAddrHook.RecvmsgUnix)] public static int RecvmsgUnix(SockAddr* ctx) => 1;
    [CgroupSockAddr(CgroupSockAddrHook.Getpeername4)] public static int Getpeername4(SockAddr* ctx) => 1;
    [CgroupSockAddr(CgroupSockAddrHook.Getpeername6)] public static int Getpeername6(SockAddr* ctx) => 1;
    [CgroupSockAddr(CgroupSockAddrHook.GetpeernameUnix)] public static int GetpeernameUnix(SockAddr* ctx) => 1;
    [CgroupSockAddr(CgroupSockAddrHook.Getsockname4)] public static int Getsockname4(SockAddr* ctx) => 1;
    [CgroupSockAddr(CgroupSockAddrHook.Getsockname6)] public static int Getsockname6(SockAddr* ctx) => 1;
    [CgroupSockAddr(CgroupSockAddrHook.GetsocknameUnix)] public static int GetsocknameUnix(SockAddr* ctx) => 1;
    [CgroupSysctl] public static int SysctlAllow(Sysctl* ctx) => 1;
    [CgroupSockopt(false)] public static int Getsockopt(Sockopt* ctx) => 1;
    [CgroupSockopt(true)] public static int Setsockopt(Sockopt* ctx) => 1;
    [CgroupDevice] public static int DeviceAllow(CgroupDeviceContext* ctx) => 1;
    [SockOps] public static int SockOpsAllow(SockOps* ops) => 1;
}
