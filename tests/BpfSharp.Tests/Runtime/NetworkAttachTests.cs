using BpfSharp.Linux;
using BpfSharp.Linux.Links;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Runtime;

/// <summary>XDP and tcx programs on a veth pair in a private network namespace: test-run and real packets.</summary>
[Collection(RuntimeCollection.Name)]
public class NetworkAttachTests
{
    private const int XdpPass = 2;
    private const int Datagrams = 5;

    private static byte[] EthernetFrame()
    {
        var frame = new byte[64];
        frame.AsSpan(0, 6).Fill(0xff);          // broadcast destination
        frame[12] = 0x08;                       // EtherType IPv4
        return frame;
    }

    [Fact]
    public void XdpTestRunAndRealPackets()
    {
        KernelObjects.RequireBpf();
        using var counters = TestPrograms.Counters();
        using var program = AttachTestKit.Load(BpfProgramType.Xdp, TestPrograms.Counter(counters, returnValue: XdpPass), "bpfsharp_t_xdp");

        var run = program.TestRun(EthernetFrame(), repeat: 10);
        Assert.Equal((uint)XdpPass, run.ReturnValue);
        Assert.Equal(10ul, TestPrograms.Read(counters));

        using var veth = VethPair.Create();
        int linkId;
        ulong attached;
        using (var link = XdpLink.Attach(program, veth.HostName))
        {
            linkId = link.Id;
            Assert.Equal(NetworkInterfaces.IndexOf(veth.HostName), link.InterfaceIndex);
            // bpftool 7.1 prints type and program of an XDP link (not yet its ifindex).
            var shown = KernelObjects.Bpftool("-j", "link", "show", "id", linkId.ToString());
            Assert.Contains("\"type\":\"xdp\"", shown);
            Assert.Contains($"\"prog_id\":{program.Id}", shown);
            veth.SendFromPeer(Datagrams);
            Assert.True(AttachTestKit.Eventually(() => TestPrograms.Read(counters) >= 10 + Datagrams),
                $"XDP saw {TestPrograms.Read(counters) - 10} packets, expected at least {Datagrams}");
            attached = TestPrograms.Read(counters);
            // A second XDP link on the same interface is refused.
            Assert.Throws<BpfSyscallException>(() => XdpLink.Attach(program, veth.HostName));
        }
        KernelObjects.AssertGone("link", linkId);
        veth.SendFromPeer(Datagrams);
        Thread.Sleep(200);
        Assert.Equal(attached, TestPrograms.Read(counters));
    }

    [Fact]
    public void TcxIngressTestRunAndRealPackets()
    {
        KernelObjects.RequireBpf();
        using var counters = TestPrograms.Counters();
        using var program = AttachTestKit.Load(BpfProgramType.SchedCls, TestPrograms.Counter(counters, returnValue: 0), "bpfsharp_t_tcx");

        var run = program.TestRun(EthernetFrame());
        Assert.Equal(0u, run.ReturnValue);
        Assert.Equal(1ul, TestPrograms.Read(counters));

        using var veth = VethPair.Create();
        ulong attached;
        using (var ingress = TcxLink.Attach(program, veth.HostName, ingress: true))
        {
            Assert.True(ingress.IsIngress);
            // bpftool 7.1 predates tcx: it lists the link (by number type) with its program.
            Assert.Contains($"\"prog_id\":{program.Id}", KernelObjects.Bpftool("-j", "link", "show", "id", ingress.Id.ToString()));
            veth.SendFromPeer(Datagrams);
            Assert.True(AttachTestKit.Eventually(() => TestPrograms.Read(counters) >= 1 + Datagrams),
                $"tcx saw {TestPrograms.Read(counters) - 1} packets, expected at least {Datagrams}");
            attached = TestPrograms.Read(counters);
        }
        veth.SendFromPeer(Datagrams);
        Thread.Sleep(200);
        Assert.Equal(attached, TestPrograms.Read(counters));
    }

    [Fact]
    public void AttachingToMissingInterfaceFailsCleanly()
    {
        KernelObjects.RequireBpf();
        using var counters = TestPrograms.Counters();
        using var program = AttachTestKit.Load(BpfProgramType.Xdp, TestPrograms.Counter(counters, returnValue: XdpPass), "bpfsharp_t_xdpx");
        Assert.Throws<BpfAttachException>(() => XdpLink.Attach(program, "bpfsharp_none0"));
        Assert.Throws<BpfSyscallException>(() => XdpLink.Attach(program, 999_999));
    }
}
