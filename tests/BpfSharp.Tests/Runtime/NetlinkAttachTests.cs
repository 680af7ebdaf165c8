using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using BpfSharp.Linux;
using BpfSharp.Linux.Links;
using BpfSharp.Tests.Linux;
using static BpfSharp.Tests.Runtime.NetworkHookPrograms;

namespace BpfSharp.Tests.Runtime;

/// <summary>
/// tc filters and XDP attached through rtnetlink (the paths of kernels before tcx and XDP links) on veth pairs in
/// namespaces the tests create: checked against iproute2's own view (<c>tc -j</c>, <c>ip -j</c>) and by real packets.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class NetlinkAttachTests(ITestOutputHelper output)
{
    private const int Datagrams = 5;
    private const int TcActionShot = 2;

    private static JsonElement[] Json(params string[] args) =>
        JsonDocument.Parse(AttachTestKit.Run(args[0], args[1..]) is { Length: > 0 } text ? text : "[]").RootElement.EnumerateArray().ToArray();

    /// <summary>Datagrams that reach <paramref name="receiver"/> within a short wait.</summary>
    private static int Drain(UdpClient receiver)
    {
        var count = 0;
        var remote = new IPEndPoint(IPAddress.Any, 0);
        while (receiver.Client.Poll(TimeSpan.FromMilliseconds(400), SelectMode.SelectRead))
        {
            receiver.Receive(ref remote);
            count++;
        }
        return count;
    }

    [Fact]
    public void TcFilterThroughNetlinkCountsDropsAndIsReplaced()
    {
        KernelObjects.RequireBpf();
        using var collection = LoadHooks();
        var count = collection.Programs["TcCount"];
        var other = collection.Programs["TcCountOther"];
        using var veth = VethPair.Create();
        var ifindex = NetworkInterfaces.IndexOf(veth.HostName);
        using var receiver = new UdpClient(new IPEndPoint(IPAddress.Parse(veth.HostAddress), 0));
        var port = ((IPEndPoint)receiver.Client.LocalEndPoint!).Port;

        // No clsact qdisc yet: the kernel refuses, with an error naming the interface.
        var missing = Assert.Throws<BpfAttachException>(() => TcFilter.Attach(count, ifindex, ingress: true, priority: 7, handle: 3));
        Assert.Contains($"ifindex {ifindex}", missing.Message);

        using (var qdisc = ClsactQdisc.Ensure(ifindex))
        {
            Assert.True(qdisc.Created);
            Assert.Contains(Json("tc", "-j", "qdisc", "show", "dev", veth.HostName), q => q.GetProperty("kind").GetString() == "clsact");
            using (var again = ClsactQdisc.Ensure(ifindex)) Assert.False(again.Created);

            using (var filter = TcFilter.Attach(count, ifindex, ingress: true, priority: 7, handle: 3))
            {
                Assert.Equal((7, 3u, count.Id), (filter.Priority, filter.Handle, filter.ProgramId));
                Assert.Equal(count.Id, TcFilter.Query(ifindex, ingress: true, priority: 7, handle: 3));
                var shown = Json("tc", "-j", "filter", "show", "dev", veth.HostName, "ingress").Single(f => f.TryGetProperty("options", out _));
                output.WriteLine(shown.ToString());
                Assert.Equal(7, shown.GetProperty("pref").GetInt32());
                Assert.Equal("bpf", shown.GetProperty("kind").GetString());
                var options = shown.GetProperty("options");
                Assert.Equal("0x3", options.GetProperty("handle").GetString());
                Assert.True(options.GetProperty("direct-action").GetBoolean());
                Assert.Equal(count.Id, options.GetProperty("prog").GetProperty("id").GetInt32());
                // Same priority and handle again without replace: EEXIST.
                Assert.Equal(17, Assert.Throws<BpfAttachException>(() => TcFilter.Attach(other, ifindex, true, 7, 3)).Errno);

                veth.SendFromPeer(Datagrams, port);
                Assert.Equal(Datagrams, Drain(receiver));
                Assert.True(Counter(collection, TcPackets) >= Datagrams, $"tc counted {Counter(collection, TcPackets)}");

                // TC_ACT_SHOT: the filter now drops what it sees.
                Configure(collection, TcAction, TcActionShot);
                var before = Counter(collection, TcPackets);
                veth.SendFromPeer(Datagrams, port);
                Assert.Equal(0, Drain(receiver));
                Assert.True(Counter(collection, TcPackets) >= before + Datagrams);

                // Replace the program in place (same priority and handle).
                using (var replaced = TcFilter.Attach(other, ifindex, ingress: true, priority: 7, handle: 3, replace: true))
                {
                    Assert.Equal(other.Id, TcFilter.Query(ifindex, true, 7, 3));
                    before = Counter(collection, TcPackets);
                    veth.SendFromPeer(Datagrams, port);
                    Assert.Equal(Datagrams, Drain(receiver));
                    Assert.True(Counter(collection, OtherTcPackets) >= Datagrams);
                    Assert.Equal(before, Counter(collection, TcPackets));
                }
                Assert.Null(TcFilter.Query(ifindex, true, 7, 3));
            }

            // A kernel-chosen priority and handle come back from the echo, and disposing deletes that filter.
            using (var auto = TcFilter.Attach(count, veth.HostName, ingress: false))
            {
                Assert.True(auto.Priority > 0 && auto.Handle > 0);
                Assert.Equal(count.Id, TcFilter.Query(ifindex, false, auto.Priority, auto.Handle));
                auto.Dispose();
                Assert.Null(TcFilter.Query(ifindex, false, auto.Priority, auto.Handle));
            }
            Assert.DoesNotContain(Json("tc", "-j", "filter", "show", "dev", veth.HostName, "egress"), f => f.TryGetProperty("options", out _));
        }
        Assert.DoesNotContain(Json("tc", "-j", "qdisc", "show", "dev", veth.HostName), q => q.GetProperty("kind").GetString() == "clsact");
    }

    [Fact]
    public void LegacyXdpAttachInGenericModeCountsAndReplacesOnlyTheExpected()
    {
        KernelObjects.RequireBpf();
        using var collection = LoadHooks();
        var count = collection.Programs["XdpCount"];
        var other = collection.Programs["XdpToCpuMap"];
        using var veth = VethPair.Create();
        var ifindex = NetworkInterfaces.IndexOf(veth.HostName);

        using var first = XdpNetlinkAttachment.Attach(count, ifindex, XdpAttachMode.Generic);
        var attached = XdpNetlinkAttachment.Query(ifindex);
        Assert.Equal(new XdpAttachedPrograms(XdpAttachedMode.Generic, count.Id, 0, count.Id, 0), attached);
        var xdp = Json("ip", "-j", "link", "show", "dev", veth.HostName).Single().GetProperty("xdp");
        output.WriteLine(xdp.ToString());
        Assert.Equal(2, xdp.GetProperty("mode").GetInt32());     // XDP_ATTACHED_SKB
        Assert.Equal(count.Id, xdp.GetProperty("prog").GetProperty("id").GetInt32());

        veth.SendFromPeer(Datagrams);
        Assert.True(AttachTestKit.Eventually(() => Counter(collection, XdpPackets) >= Datagrams), $"XDP counted {Counter(collection, XdpPackets)}");

        // XDP_FLAGS_UPDATE_IF_NOEXIST: EBUSY while one is attached.
        Assert.Equal(16, Assert.Throws<BpfAttachException>(() =>
            XdpNetlinkAttachment.Attach(other, ifindex, XdpAttachMode.Generic, XdpAttachFlags.UpdateIfNoneAttached)).Errno);
        // XDP_FLAGS_REPLACE with the wrong expected program: EEXIST; with the right one it replaces.
        Assert.Equal(17, Assert.Throws<BpfAttachException>(() =>
            XdpNetlinkAttachment.Attach(other, ifindex, XdpAttachMode.Generic, expected: other)).Errno);
        using var second = XdpNetlinkAttachment.Attach(other, ifindex, XdpAttachMode.Generic, expected: count);
        Assert.Equal(other.Id, XdpNetlinkAttachment.Query(ifindex).GenericProgramId);

        // The replaced attachment no longer owns the hook: disposing it leaves the new program in place.
        first.Dispose();
        Assert.Equal(other.Id, XdpNetlinkAttachment.Query(ifindex).GenericProgramId);
        second.Dispose();
        Assert.Equal(new XdpAttachedPrograms(XdpAttachedMode.None, 0, 0, 0, 0), XdpNetlinkAttachment.Query(ifindex));
        Assert.False(Json("ip", "-j", "link", "show", "dev", veth.HostName).Single().TryGetProperty("xdp", out _));
    }

    [Fact]
    public void XdpRedirectThroughDevMapSendsFramesOutOfAnotherInterface()
    {
        KernelObjects.RequireBpf();
        using var collection = LoadHooks();
        using var from = VethPair.Create();
        using var to = VethPair.Create();
        // Generic mode: a native redirect into a veth needs XDP on the receiving peer too. A static neighbour on the
        // sending side: the redirected ARP request would never be answered.
        var hostMac = File.ReadAllText($"/sys/class/net/{from.HostName}/address").Trim();
        AttachTestKit.Run("ip", "-n", from.Namespace, "neigh", "replace", from.HostAddress, "lladdr", hostMac, "dev", from.PeerName);
        collection.Maps["Ports"].Update(0u, (uint)NetworkInterfaces.IndexOf(to.HostName));
        ulong Received() => ulong.Parse(AttachTestKit.Run("ip", "netns", "exec", to.Namespace, "cat", $"/sys/class/net/{to.PeerName}/statistics/rx_packets").Trim());

        var before = Received();
        using (SectionAttach.Attach(collection.Programs["XdpToDevMap"], Section(collection, "XdpToDevMap"),
                   AttachTarget.Interface(NetworkInterfaces.IndexOf(from.HostName)) with { XdpMode = XdpAttachMode.Generic }))
        {
            from.SendFromPeer(Datagrams);
            Assert.True(AttachTestKit.Eventually(() => Received() >= before + Datagrams),
                $"{to.PeerName} received {Received() - before} frames, expected {Datagrams} redirected ones");
            Assert.True(Counter(collection, DevMapRedirects) >= Datagrams);
        }
    }

    [Fact]
    public void XdpRedirectThroughCpuMapDeliversOnlyWhileTheCpuIsInTheMap()
    {
        KernelObjects.RequireBpf();
        using var collection = LoadHooks();
        using var veth = VethPair.Create();
        using var receiver = new UdpClient(new IPEndPoint(IPAddress.Parse(veth.HostAddress), 0));
        var port = ((IPEndPoint)receiver.Client.LocalEndPoint!).Port;
        // Let ARP resolve before XDP sees the traffic, so only the datagrams themselves are redirected.
        veth.SendFromPeer(1, port);
        Assert.Equal(1, Drain(receiver));

        using (XdpNetlinkAttachment.Attach(collection.Programs["XdpToCpuMap"], veth.HostName, XdpAttachMode.Generic))
        {
            // An empty cpumap slot: the program's fallback action, XDP_DROP.
            veth.SendFromPeer(Datagrams, port);
            Assert.Equal(0, Drain(receiver));
            Assert.True(Counter(collection, XdpCpuMapRedirects) >= Datagrams);

            // CPU 0 with a queue of 192 frames: the frames go through that CPU's kthread into the stack.
            collection.Maps["Cpus"].Update(0u, 192u);
            veth.SendFromPeer(Datagrams, port);
            Assert.Equal(Datagrams, Drain(receiver));
        }
    }
}
