using System.Text.Json;
using BpfSharp.Linux;
using BpfSharp.Linux.Links;
using BpfSharp.Tests.Runtime;
using static BpfSharp.Tests.Runtime.NetworkHookPrograms;

namespace BpfSharp.Tests.Linux;

/// <summary>
/// Attachments held by rtnetlink (legacy XDP, tc filters and their clsact qdisc) are undone in the network
/// namespace they were made in, whichever thread disposes them: attached on a thread inside a test namespace,
/// disposed from the test's thread in the initial one, and checked with iproute2 inside the namespace. The
/// interface gets an ifindex no interface of the initial namespace has, so a detach sent to the wrong namespace
/// could not touch anything there.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class NetlinkNamespaceTests(ITestOutputHelper output)
{
    [Fact]
    public void XdpTcFilterAndQdiscAttachedInANamespaceAreRemovedThereWhenDisposedFromAnotherThread()
    {
        KernelObjects.RequireBpf();
        using var collection = LoadHooks();
        using var ns = new TestNetworkNamespace("nlns");
        var index = UnusedInterfaceIndex();
        ns.Ip("link", "add", "bpfs0", "index", index.ToString(System.Globalization.CultureInfo.InvariantCulture), "type", "veth", "peer", "name", "bpfs1");
        ns.Ip("link", "set", "bpfs0", "up");

        XdpNetlinkAttachment? xdp = null;
        ClsactQdisc? qdisc = null;
        TcFilter? filter = null;
        try
        {
            ns.Run(() =>
            {
                Assert.Equal(index, NetworkInterfaces.IndexOf("bpfs0"));
                xdp = XdpNetlinkAttachment.Attach(collection.Programs["XdpCount"], index, XdpAttachMode.Generic);
                qdisc = ClsactQdisc.Ensure(index);
                filter = TcFilter.Attach(collection.Programs["TcCount"], index, ingress: true, priority: 5, handle: 9);
            });
            Assert.True(qdisc!.Created);
            // What iproute2 sees inside the namespace while attached: the programs are there.
            Assert.Equal(collection.Programs["XdpCount"].Id, XdpProgramId(ns));
            Assert.Equal(collection.Programs["TcCount"].Id, Assert.Single(BpfFilters(ns)).GetProperty("options").GetProperty("prog").GetProperty("id").GetInt32());
            Assert.Contains(Qdiscs(ns), q => q.GetProperty("kind").GetString() == "clsact");
        }
        finally
        {
            // The test's own thread is in the initial network namespace, where this ifindex does not exist.
            filter?.Dispose();
            qdisc?.Dispose();
            xdp?.Dispose();
        }

        output.WriteLine($"after dispose from the initial namespace: xdp prog {XdpProgramId(ns)}, bpf filters {BpfFilters(ns).Length}, qdiscs {string.Join(',', Qdiscs(ns).Select(q => q.GetProperty("kind").GetString()))}");
        Assert.Equal(0, XdpProgramId(ns));
        Assert.Empty(BpfFilters(ns));
        Assert.DoesNotContain(Qdiscs(ns), q => q.GetProperty("kind").GetString() == "clsact");
    }

    private static int UnusedInterfaceIndex()
    {
        var used = Directory.GetDirectories("/sys/class/net").Select(d => int.Parse(File.ReadAllText(Path.Combine(d, "ifindex")).Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        var index = 20000 + Random.Shared.Next(20000);
        while (used.Contains(index)) index++;
        return index;
    }

    private static JsonElement[] Json(string text) => JsonDocument.Parse(text is { Length: > 0 } ? text : "[]").RootElement.EnumerateArray().ToArray();

    /// <summary>The XDP program id iproute2 shows for the interface (0: none).</summary>
    private static int XdpProgramId(TestNetworkNamespace ns)
    {
        var link = Json(ns.Ip("-j", "link", "show", "dev", "bpfs0")).Single();
        return link.TryGetProperty("xdp", out var xdp) && xdp.TryGetProperty("prog", out var prog) ? prog.GetProperty("id").GetInt32() : 0;
    }

    private static JsonElement[] BpfFilters(TestNetworkNamespace ns) =>
        [.. Json(AttachTestKit.Run("tc", "-n", ns.Name, "-j", "filter", "show", "dev", "bpfs0", "ingress")).Where(f => f.TryGetProperty("options", out _))];

    private static JsonElement[] Qdiscs(TestNetworkNamespace ns) => Json(AttachTestKit.Run("tc", "-n", ns.Name, "-j", "qdisc", "show", "dev", "bpfs0"));
}
