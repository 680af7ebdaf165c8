using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BpfSharp.Linux;
using BpfSharp.Linux.Inspection;
using BpfSharp.Linux.Links;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Runtime;
using static BpfSharp.Tests.Cli.CliHarness;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// <c>bpfsharp net show</c> against bpftool 7.1's, run with <c>ip netns exec</c> inside network namespaces the tests
/// create (so nothing of other processes shows): XDP by link and by netlink (generic mode), clsact
/// filters with their priority and handle, tcx links and the namespace's flow dissector. bpftool 7.1 knows no tcx:
/// bpfsharp's tcx rows (later bpftool's format) are checked against the links the test made, then left out of
/// the comparison.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class NetShowTests(ITestOutputHelper output)
{
    private const int CloneNewNet = 0x40000000;

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);

    /// <summary>A network namespace named for this process; disposing deletes it and every interface in it.</summary>
    private sealed class TestNamespace : IDisposable
    {
        public TestNamespace(string what)
        {
            Name = $"bpfsharp_h9_{what}_{Environment.ProcessId}_{Guid.NewGuid().ToString("N")[..6]}";
            AttachTestKit.Run("ip", "netns", "add", Name);
        }

        public string Name { get; }

        /// <summary>Runs <paramref name="action"/> on a thread that has entered the namespace (netlink and ifindexes are per namespace).</summary>
        public void Run(Action action)
        {
            ExceptionDispatchInfo? failure = null;
            var thread = new Thread(() =>
            {
                try
                {
                    using (var ns = File.OpenHandle($"/run/netns/{Name}"))
                        if (setns((int)ns.DangerousGetHandle(), CloneNewNet) != 0)
                            throw new InvalidOperationException($"setns {Name}: errno {Marshal.GetLastPInvokeError()}");
                    action();
                }
                catch (Exception e)
                {
                    failure = ExceptionDispatchInfo.Capture(e);
                }
            });
            thread.Start();
            thread.Join();
            failure?.Throw();
        }

        public ToolResult Tool(string tool, params string[] args) => ExternalTool.Run("ip", ["netns", "exec", Name, tool, .. args]);

        public ToolResult Bpfsharp(params string[] args) =>
            ExternalTool.Run("ip", ["netns", "exec", Name, "dotnet", Path.Combine(AppContext.BaseDirectory, "bpfsharp.dll"), .. args]);

        public void Dispose() => ExternalTool.Run("ip", ["netns", "del", Name]);
    }

    private static string WithoutTcx(string text) =>
        string.Concat(text.Split('\n').Select((line, i) => (line, i)).Where(l => !l.line.Contains(" tcx/")).Select(l => l.i == 0 ? l.line : "\n" + l.line));

    private static JsonNode WithoutTcx(JsonNode root)
    {
        var tc = root[0]!["tc"]!.AsArray();
        foreach (var row in tc.Where(r => r!["kind"]!.GetValue<string>().StartsWith("tcx/", StringComparison.Ordinal)).ToList()) tc.Remove(row);
        return root;
    }

    /// <summary>bpftool writes the flow dissector as a bare <c>"id": N</c> inside an array; bpfsharp as an object.</summary>
    private static string BpftoolJson(byte[] stdout) =>
        Regex.Replace(Encoding.UTF8.GetString(stdout), "\"flow_dissector\":\\s*\\[\\s*\"id\":\\s*(\\d+)\\s*\\]", "\"flow_dissector\":[{\"id\":$1}]");

    private void AssertSame(TestNamespace ns, params string[] words)
    {
        var theirs = ns.Tool("bpftool", words);
        var ours = ns.Bpfsharp(words);
        output.WriteLine($"bpftool {string.Join(' ', words)}:\n{theirs.Text()}bpfsharp:\n{ours.Text()}");
        Assert.True(theirs.ExitCode == 0, $"bpftool: {theirs.Stderr}");
        Assert.True(ours.ExitCode == 0, $"bpfsharp: {ours.Stderr}");
        Assert.Equal(theirs.Text(), WithoutTcx(ours.Text()));

        foreach (var json in new[] { "-j", "-p" })
        {
            var a = ns.Tool("bpftool", [json, .. words]);
            var b = ns.Bpfsharp([json, .. words]);
            Assert.True(a.ExitCode == 0 && b.ExitCode == 0, $"{json}: bpftool {a.Stderr} bpfsharp {b.Stderr}");
            var x = JsonNode.Parse(BpftoolJson(a.Stdout))!;
            var y = WithoutTcx(JsonNode.Parse(b.Stdout)!);
            Assert.True(JsonNode.DeepEquals(x, y), $"{json} {string.Join(' ', words)}:\nbpftool: {x.ToJsonString()}\nbpfsharp: {y.ToJsonString()}");
        }
    }

    [Fact]
    public void NetShowListsXdpTcTcxAndFlowDissectorLikeBpftool()
    {
        KernelObjects.RequireBpf();
        using var collection = NetworkHookPrograms.LoadHooks();
        var tc = collection.Programs["TcCount"];
        var tcOther = collection.Programs["TcCountOther"];
        var xdp = collection.Programs["XdpCount"];
        using var ns = new TestNamespace("net");
        const string a = "h9a", b = "h9b";
        AttachTestKit.Run("ip", "-n", ns.Name, "link", "add", a, "type", "veth", "peer", "name", b);
        AttachTestKit.Run("ip", "-n", ns.Name, "link", "set", a, "up");
        AttachTestKit.Run("ip", "-n", ns.Name, "link", "set", b, "up");

        ns.Run(() =>
        {
            int ia = NetworkInterfaces.IndexOf(a), ib = NetworkInterfaces.IndexOf(b);
            var held = new List<IDisposable>();
            try
            {
                var xdpLink = XdpLink.Attach(xdp, ia, XdpAttachMode.Generic);
                held.Add(xdpLink);
                held.Add(XdpNetlinkAttachment.Attach(xdp, ib, XdpAttachMode.Generic));
                held.Add(ClsactQdisc.Ensure(ia));
                var ingress = TcFilter.Attach(tc, ia, ingress: true, priority: 7, handle: 3);
                held.Add(ingress);
                held.Add(TcFilter.Attach(tc, ia, ingress: false, priority: 9, handle: 0x10));
                held.Add(TcFilter.Attach(tcOther, ia, ingress: false, priority: 9, handle: 0x11));
                var tcx = TcxLink.Attach(tc, ib, ingress: true);
                held.Add(tcx);
                var dissector = collection.Programs["DissectNothing"];
                held.Add(NetnsLink.Attach(dissector, BpfAttachType.FlowDissector, $"/run/netns/{ns.Name}"));

                // The library's view first: priorities, handles, ids and the tcx link as attached.
                var filters = NetworkAttachments.TcFilters(ia);
                Assert.Equal(
                    [("clsact/ingress", (ushort)7, 3u, tc.Id), ("clsact/egress", (ushort)9, 0x10u, tc.Id), ("clsact/egress", (ushort)9, 0x11u, tcOther.Id)],
                    filters.Select(f => (f.Kind, f.Priority, f.Handle, f.ProgramId)).OrderBy(f => f.Kind == "clsact/egress").ThenBy(f => f.Item3).ToArray());
                var hook = Assert.Single(NetworkAttachments.DeviceHook(ib, BpfAttachType.TcxIngress));
                Assert.Equal((tc.Id, tcx.Id), (hook.ProgramId, hook.LinkId));
                Assert.Empty(NetworkAttachments.DeviceHook(ib, BpfAttachType.TcxEgress));
                var interfaces = NetworkAttachments.Interfaces();
                Assert.Equal((XdpAttachedMode.Generic, xdp.Id), (interfaces.Single(i => i.Name == a).Xdp.Attached, interfaces.Single(i => i.Name == a).Xdp.ProgramId));
                Assert.Equal(XdpAttachedMode.Generic, interfaces.Single(i => i.Name == b).Xdp.Attached);
                Assert.Equal(dissector.Id, NetworkAttachments.FlowDissector());

                AssertSame(ns, "net", "show", "dev", a);
                AssertSame(ns, "net", "list", "dev", b);
                AssertSame(ns, "net", "show");

                // The tcx row bpftool 7.1 cannot show, in later bpftool's format.
                var shown = ns.Bpfsharp("net", "show", "dev", b).Text();
                Assert.Contains($"\n{b}({ib}) tcx/ingress TcCount prog_id {tc.Id} link_id {tcx.Id} \n", shown);
                var row = JsonNode.Parse(ns.Bpfsharp("-j", "net", "show", "dev", b).Stdout)![0]!["tc"]![0]!;
                Assert.Equal($$"""{"devname":"{{b}}","ifindex":{{ib}},"kind":"tcx/ingress","name":"TcCount","prog_id":{{tc.Id}},"prog_flags":[],"link_id":{{tcx.Id}},"link_flags":[]}""", row.ToJsonString());
            }
            finally
            {
                for (int i = held.Count - 1; i >= 0; i--) held[i].Dispose();
            }
            // Detached: bpftool and bpfsharp agree again, on empty lists.
            Assert.Empty(NetworkAttachments.TcFilters(ia));
            AssertSame(ns, "net", "show", "dev", a);
        });
    }

    [Fact]
    public void NetShowOfANamespaceWithoutProgramsAndABadDeviceAreBpftools()
    {
        using var ns = new TestNamespace("empty");
        AssertSame(ns, "net", "show");
        AssertSame(ns, "net", "show", "dev", "lo");
        Assert.Equal("xdp:\n\ntc:\n\nflow_dissector:\n\n", ns.Bpfsharp("net", "show").Text());

        string missing = "h9nosuch" + Environment.ProcessId % 1000;
        var theirs = ns.Tool("bpftool", "net", "show", "dev", missing);
        var ours = ns.Bpfsharp("net", "show", "dev", missing);
        Assert.Equal(255, theirs.ExitCode);
        Assert.Equal(1, ours.ExitCode); // bpfsharp's documented exit code for bad input
        Assert.Contains($"Error: invalid devname {missing}", theirs.Stderr);
        Assert.Equal($"Error: invalid devname {missing}\n", ours.Stderr);
        Assert.Empty(ours.Stdout);
        Assert.Equal(AssertJsonError(ns.Tool("bpftool", "-j", "net", "show", "dev", missing), "bpftool"),
            AssertJsonError(ns.Bpfsharp("-j", "net", "show", "dev", missing), "bpfsharp"));

        var usage = ns.Bpfsharp("net", "show", "device", "lo", "extra");
        Assert.Equal(64, usage.ExitCode);
        Assert.Contains("Error: expected 'dev', got: 'device'?", usage.Stderr);
        Assert.DoesNotContain("   at ", usage.Stderr);
    }
}
