using BpfSharp.Kernel;
using BpfSharp.TestPrograms.Twins;

namespace BpfSharp.TestPrograms.Network;

/// <summary>
/// Programs of the hooks that decide where packets go: lwt routes, SO_REUSEPORT groups, AF_XDP sockets and netkit
/// devices. Each counts in <see cref="DeliveryCounters"/>; the tests pick sockets through <see cref="DeliveryConfig"/>.
/// </summary>
public static unsafe class DeliveryHooks
{
    public static readonly ArrayMap<ulong> DeliveryCounters = new(maxEntries: 8);
    public static readonly ArrayMap<uint> DeliveryConfig = new(maxEntries: 4);
    static readonly ReuseportSockArray ReuseportGroup = new(maxEntries: 4);
    static readonly XskMap XdpSocketsByQueue = new(maxEntries: 4);

    // BPF_OK: the route goes on as usual.
    const int LwtOk = 0;

    static void Count(uint slot)
    {
        ulong* counter = DeliveryCounters.Lookup(slot);
        if (counter != null)
        {
            System.Threading.Interlocked.Add(ref *counter, 1);
        }
    }

    static uint Setting(uint slot)
    {
        uint* value = DeliveryConfig.Lookup(slot);
        return value != null ? *value : 0;
    }

    [Lwt(LwtHook.In)]
    public static int LwtInCount(SkBuff* skb)
    {
        Count(0);
        return LwtOk;
    }

    [Lwt(LwtHook.Out)]
    public static int LwtOutCount(SkBuff* skb)
    {
        Count(1);
        return LwtOk;
    }

    [Lwt(LwtHook.Xmit)]
    public static int LwtXmitCount(SkBuff* skb)
    {
        Count(2);
        return LwtOk;
    }

    // Every packet of the group goes to the socket in slot DeliveryConfig[0].
    [SkReuseport]
    public static int SelectConfigured(SkReuseportMd* reuse)
    {
        if (ReuseportGroup.Select(reuse, Setting(0)) != 0)
        {
            return SkAction.Drop;
        }

        Count(3);
        return SkAction.Pass;
    }

    // New connections go to slot DeliveryConfig[0]; those of a closing listener migrate to slot DeliveryConfig[1].
    [SkReuseport(migrate: true)]
    public static int MigrateToConfigured(SkReuseportMd* reuse)
    {
        bool migrating = reuse->MigratingSk != 0;
        if (ReuseportGroup.Select(reuse, Setting(migrating ? 1u : 0u)) != 0)
        {
            return SkAction.Drop;
        }

        Count(migrating ? 4u : 3u);
        return SkAction.Pass;
    }

    // IPv4 UDP frames go to the AF_XDP socket of their receive queue; everything else (ARP) to the stack.
    [Xdp]
    public static int UdpToXdpSocket(XdpMd* ctx)
    {
        byte* data = ctx->DataPointer;
        byte* end = ctx->DataEndPointer;
        var eth = (EthHeader*)data;
        var ip = (Ipv4Header*)(eth + 1);
        if (ip + 1 > end || eth->Protocol != 0x0008 || ip->Protocol != 17)
        {
            return (int)XdpAction.Pass;
        }

        Count(5);
        return (int)XdpSocketsByQueue.Redirect(ctx->RxQueueIndex, (ulong)XdpAction.Pass);
    }

    // NETKIT_NEXT (-1): the device's default policy decides.
    [Netkit]
    public static int NetkitPrimaryCount(SkBuff* skb)
    {
        Count(6);
        return -1;
    }

    [Netkit(peer: true)]
    public static int NetkitPeerCount(SkBuff* skb)
    {
        Count(7);
        return -1;
    }
}
