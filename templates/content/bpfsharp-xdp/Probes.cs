// The BPF half of the tool, in C#: an XDP program that counts every packet arriving on the interface, by
// protocol, in per-CPU counters (no locking between CPUs), and lets the packet through. The build compiles this
// class to BPF and embeds the object in the assembly; user space reads the counters through ProbesSkeleton.
using BpfSharp.Kernel;

[assembly: License("GPL")]

namespace BpfXdp;

/// <summary>Packets and bytes of one protocol on one CPU.</summary>
public struct Counter
{
    public ulong Packets;
    public ulong Bytes;
}

public static unsafe class Probes
{
    /// <summary>Slots of <see cref="Counters"/>.</summary>
    public const uint IPv4 = 0, IPv6 = 1, Arp = 2, Other = 3;

    public static readonly PerCpuArrayMap<Counter> Counters = new(maxEntries: 4);

    private const int XdpPass = 2;

    [Xdp]
    public static int CountPackets(XdpMd* ctx)
    {
        var data = ctx->DataPointer;
        var end = ctx->DataEndPointer;
        var slot = Other;
        if (data + 14 <= end)
        {
            var etherType = (ushort)((data[12] << 8) | data[13]);
            slot = etherType == 0x0800 ? IPv4 : etherType == 0x86DD ? IPv6 : etherType == 0x0806 ? Arp : Other;
        }

        var counter = Counters.Lookup(slot);
        if (counter != null)
        {
            counter->Packets += 1;
            counter->Bytes += (ulong)(end - data);
        }
        return XdpPass;
    }
}
