using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using BpfSharp.Linux;
using BpfSharp.Linux.Links;
using BpfSharp.Linux.Loading;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Loading;
using static BpfSharp.Tests.Runtime.NetworkHookPrograms;

namespace BpfSharp.Tests.Runtime;

/// <summary>
/// Socket and cgroup hooks, each attached by section name (<see cref="SectionAttach"/>) to a cgroup v2 directory,
/// a sockmap/sockhash or the network namespace the test owns, then triggered for real: a connect rewritten to
/// another port, a sockops event filling a sockhash, sk_msg counting and redirecting messages, sysctl and sockopt
/// hooks seen by a shell in the cgroup, sk_lookup steering a connection. The C programs of testdata/loader/net_hooks.c
/// do the same where a twin helps, loaded by our loader and attached the same way.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class SocketHookTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private static uint NetworkOrder(int port) => BinaryPrimitives.ReverseEndianness((ushort)port);

    private static string AcceptLine(TcpListener listener)
    {
        Assert.True(listener.Server.Poll(Wait, SelectMode.SelectRead), "no connection reached the listener");
        using var accepted = listener.AcceptTcpClient();
        accepted.ReceiveTimeout = 5000;
        using var reader = new StreamReader(accepted.GetStream());
        return reader.ReadLine() ?? "";
    }

    /// <summary>bpftool's view of the programs attached to a cgroup: (program id, attach type name).</summary>
    private static List<(int Id, string AttachType)> BpftoolCgroup(string path)
    {
        var text = KernelObjects.Bpftool("-j", "cgroup", "show", path);
        if (string.IsNullOrWhiteSpace(text)) return [];
        return JsonDocument.Parse(text).RootElement.EnumerateArray()
            .Select(e => (e.GetProperty("id").GetInt32(), e.GetProperty("attach_type").ToString())).ToList();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Connect4RewritesThePortForTasksInTheCgroup(bool progAttach)
    {
        KernelObjects.RequireBpf();
        using var cgroup = TestCgroup.Create("connect4");
        using var collection = LoadHooks();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var target = ((IPEndPoint)listener.LocalEndpoint).Port;
            var unused = FreePort();
            Configure(collection, ConnectFromNetworkOrder, NetworkOrder(unused));
            Configure(collection, ConnectToNetworkOrder, NetworkOrder(target));
            var program = collection.Programs["RewriteConnectPort"];
            // A BPF link by section name, or BPF_PROG_ATTACH as kernels before 5.7 need.
            using (BpfLink link = progAttach
                       ? CgroupAttachment.Attach(program, cgroup.Path, BpfAttachType.CgroupInet4Connect)
                       : SectionAttach.Attach(program, Section(collection, "RewriteConnectPort"), AttachTarget.Cgroup(cgroup.Path)))
            {
                Assert.IsType(progAttach ? typeof(CgroupAttachment) : typeof(CgroupLink), link);
                Assert.Equal(program.Id, link.ProgramId);
                Assert.Contains((program.Id, "cgroup_inet4_connect"), BpftoolCgroup(cgroup.Path));
                var run = cgroup.Run($"exec 3<>/dev/tcp/127.0.0.1/{unused} && echo rewritten >&3");
                Assert.True(run.ExitCode == 0, run.Stderr);
                Assert.Equal("rewritten", AcceptLine(listener));
                Assert.Equal(1ul, Counter(collection, ConnectRewrites));
            }
            Assert.Empty(BpftoolCgroup(cgroup.Path));
            // Detached: the same connect now goes to the port it names, where nobody listens.
            Assert.NotEqual(0, cgroup.Run($"exec 3<>/dev/tcp/127.0.0.1/{unused}").ExitCode);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public void Connect4CTwinRewritesThePortToo()
    {
        KernelObjects.RequireBpf();
        using var cgroup = TestCgroup.Create("connect4c");
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var target = ((IPEndPoint)listener.LocalEndpoint).Port;
            var unused = FreePort();
            using var twin = BpfObject.Open(LoaderObjects.Compile(Path.Combine(Infrastructure.TestPaths.TestData, "loader", "net_hooks.c"), mustCompile: true)!);
            twin.Variable<ushort>("connect_from").Value = (ushort)unused;
            twin.Variable<ushort>("connect_to").Value = (ushort)target;
            twin.Load();
            using (SectionAttach.Attach(twin.Program("connect4"), "cgroup/connect4", AttachTarget.Cgroup(cgroup.Path)))
            {
                var run = cgroup.Run($"exec 3<>/dev/tcp/127.0.0.1/{unused} && echo twin >&3");
                Assert.True(run.ExitCode == 0, run.Stderr);
                Assert.Equal("twin", AcceptLine(listener));
                Assert.Equal(1ul, twin.Variable<ulong>("connects").Value);
            }
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public void SockOpsAddsActivelyEstablishedSocketsToTheSockHash()
    {
        KernelObjects.RequireBpf();
        using var cgroup = TestCgroup.Create("sockops");
        using var collection = LoadHooks();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            using (SectionAttach.Attach(collection.Programs["AddEstablished"], "sockops", AttachTarget.Cgroup(cgroup.Path)))
            {
                // The shell keeps its socket open until the listener has read the line, so it is in the sockhash then.
                var run = cgroup.Run($"exec 3<>/dev/tcp/127.0.0.1/{port} && echo established >&3");
                Assert.True(run.ExitCode == 0, run.Stderr);
                Assert.Equal("established", AcceptLine(listener));
                Assert.Equal(1ul, Counter(collection, ActiveEstablished));
                Assert.Equal(1ul, Counter(collection, SockHashAdds));
            }
        }
        finally
        {
            listener.Stop();
        }
    }

    private static (TcpClient Client, Socket Server) ConnectedPair(TcpListener listener)
    {
        var client = new TcpClient();
        client.Connect(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        var server = listener.AcceptSocket();
        server.ReceiveTimeout = 2000;
        client.Client.ReceiveTimeout = 2000;
        return (client, server);
    }

    private static string ReceiveText(Socket socket, int length)
    {
        var buffer = new byte[length];
        var read = 0;
        while (read < length)
        {
            var n = socket.Receive(buffer, read, length - read, SocketFlags.None);
            if (n == 0) break;
            read += n;
        }
        return Encoding.ASCII.GetString(buffer, 0, read);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SkMsgCountsAndRedirectsMessagesBetweenLocalSockets(bool cTwin)
    {
        KernelObjects.RequireBpf();
        BpfObject? twin = null;
        BpfCollection? collection = null;
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            BpfProgram program;
            BpfMap sockets;
            string section;
            if (cTwin)
            {
                twin = BpfObject.Open(LoaderObjects.Compile(Path.Combine(Infrastructure.TestPaths.TestData, "loader", "net_hooks.c"), mustCompile: true)!);
                twin.Load();
                (program, sockets, section) = (twin.Program("msg_verdict"), twin.Map("sock_hash"), "sk_msg");
            }
            else
            {
                collection = LoadHooks();
                (program, sockets, section) = (collection.Programs["RedirectMarkedMessages"], collection.Maps["Sockets"], Section(collection, "RedirectMarkedMessages"));
            }
            ulong Read(string cName, uint slot) => cTwin ? twin!.Variable<ulong>(cName).Value : Counter(collection!, slot);

            var (client, server) = ConnectedPair(listener);
            using (client)
            using (server)
            using (var attachment = SectionAttach.Attach(program, section, AttachTarget.SocketMap(sockets)))
            {
                Assert.IsType<SockMapAttachment>(attachment);
                // The program applies to sockets added after it was attached: the client, under key 0.
                sockets.Update(0u, (uint)client.Client.Handle);
                try
                {
                    client.Client.Send(Encoding.ASCII.GetBytes("P-pass"));
                    Assert.Equal("P-pass", ReceiveText(server, 6));
                    client.Client.Send(Encoding.ASCII.GetBytes("R-back"));
                    // Redirected to the client's own receive queue: it reads its message back, the server nothing.
                    Assert.Equal("R-back", ReceiveText(client.Client, 6));
                    Assert.False(server.Poll(TimeSpan.FromMilliseconds(200), SelectMode.SelectRead));
                    Assert.Equal(2ul, Read("messages", Messages));
                    Assert.Equal(12ul, Read("message_bytes", MessageBytes));
                    Assert.Equal(1ul, Read("redirected", RedirectedMessages));
                }
                finally
                {
                    sockets.Delete(BitConverter.GetBytes(0u));
                }
            }
            output.WriteLine($"{(cTwin ? "C" : "C#")} sk_msg: 2 messages, 1 redirected");
        }
        finally
        {
            listener.Stop();
            collection?.Dispose();
            twin?.Dispose();
        }
    }

    [Fact]
    public void SysctlHookReadsTheNameAndRefusesOneWrite()
    {
        KernelObjects.RequireBpf();
        using var cgroup = TestCgroup.Create("sysctl");
        using var collection = LoadHooks();
        using (SectionAttach.Attach(collection.Programs["ReadOnlySysctls"], "cgroup/sysctl", AttachTarget.Cgroup(cgroup.Path)))
        {
            var read = cgroup.Run("cat /proc/sys/kernel/ostype");
            Assert.True(read.ExitCode == 0, read.Stderr);
            Assert.Equal("Linux", read.StdoutText.Trim());
            Assert.True(Counter(collection, SysctlReads) >= 1);
            Assert.Equal((ulong)"ostype".Length, Counter(collection, LastSysctlNameLength));   // bpf_sysctl_get_name, base name
            // In a network namespace of its own, so the write would change nothing of the machine's.
            var write = cgroup.Run("unshare -n bash -c 'echo 33 > /proc/sys/net/ipv4/ip_default_ttl'");
            Assert.NotEqual(0, write.ExitCode);
            Assert.Contains("Operation not permitted", write.Stderr);
            Assert.Equal(1ul, Counter(collection, SysctlWritesDenied));
            Assert.Equal((ulong)"ip_default_ttl".Length, Counter(collection, LastSysctlNameLength));
            // Another sysctl's write goes through.
            var other = cgroup.Run("unshare -n bash -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'");
            Assert.True(other.ExitCode == 0, other.Stderr);
            Assert.Equal(1ul, Counter(collection, SysctlWritesDenied));
        }
        // Detached: the same write goes through.
        var allowed = cgroup.Run("unshare -n bash -c 'echo 33 > /proc/sys/net/ipv4/ip_default_ttl'");
        Assert.True(allowed.ExitCode == 0, allowed.Stderr);
    }

    [Fact]
    public void SockoptHooksRewriteWhatSetsockoptStoresAndGetsockoptReports()
    {
        KernelObjects.RequireBpf();
        using var cgroup = TestCgroup.Create("sockopt");
        using var collection = LoadHooks();
        // perl (Debian's essential perl-base) has setsockopt/getsockopt built in: IPPROTO_IP (0), IP_TTL (2).
        const string Script = "perl -e 'socket(S, 2, 1, 0) or die \"socket: $!\"; setsockopt(S, 0, 2, pack(\"i\", 5)) or die \"set: $!\"; " +
                              "print unpack(\"i\", getsockopt(S, 0, 2))'";
        Assert.Equal("5", cgroup.Run(Script).StdoutText);
        using (SectionAttach.Attach(collection.Programs["RewriteTtl"], "cgroup/setsockopt", AttachTarget.Cgroup(cgroup.Path)))
        {
            var run = cgroup.Run(Script);
            Assert.True(run.ExitCode == 0, run.Stderr);
            Assert.Equal("99", run.StdoutText);
            using (SectionAttach.Attach(collection.Programs["ReportTtl"], "cgroup/getsockopt", AttachTarget.Cgroup(cgroup.Path)))
            {
                run = cgroup.Run(Script);
                Assert.True(run.ExitCode == 0, run.Stderr);
                Assert.Equal("77", run.StdoutText);
                Assert.True(Counter(collection, Getsockopts) >= 1);
            }
            Assert.True(Counter(collection, Setsockopts) >= 2);
        }
    }

    [Fact]
    public void SkLookupSteersAConnectionToTheListenerInTheSockMap()
    {
        KernelObjects.RequireBpf();
        using var collection = LoadHooks();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var steered = FreePort();
            Configure(collection, LookupPort, (uint)steered);
            collection.Maps["Listeners"].Update(0u, (uint)listener.Server.Handle);
            using (var link = SectionAttach.Attach(collection.Programs["SteerToListener"], "sk_lookup", AttachTarget.Namespace()))
            {
                Assert.IsType<NetnsLink>(link);
                Assert.Contains($"\"prog_id\":{link.ProgramId}", KernelObjects.Bpftool("-j", "link", "show", "id", link.Id.ToString()));
                using (var client = new TcpClient())
                {
                    client.Connect(IPAddress.Loopback, steered);
                    client.Client.Send(Encoding.ASCII.GetBytes("steered\n"));
                    Assert.Equal("steered", AcceptLine(listener));
                }
                Assert.True(Counter(collection, LookupsSteered) >= 1);
            }
            // Without the program nobody listens on that port.
            using var refused = new TcpClient();
            Assert.Throws<SocketException>(() => refused.Connect(IPAddress.Loopback, steered));
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>
    /// libbpf 1.1's names for the cgroup attach types (what bpftool 7.1 prints). It knows none of the unix socket
    /// hooks (6.7+): <c>bpftool cgroup show</c> does not ask for them and <c>bpftool link show</c> prints their number.
    /// </summary>
    private static readonly Dictionary<BpfAttachType, string> BpftoolNames = new()
    {
        [BpfAttachType.CgroupInetIngress] = "cgroup_inet_ingress", [BpfAttachType.CgroupInetEgress] = "cgroup_inet_egress",
        [BpfAttachType.CgroupInetSockCreate] = "cgroup_inet_sock_create", [BpfAttachType.CgroupInetSockRelease] = "cgroup_inet_sock_release",
        [BpfAttachType.CgroupSockOps] = "cgroup_sock_ops", [BpfAttachType.CgroupDevice] = "cgroup_device",
        [BpfAttachType.CgroupInet4Bind] = "cgroup_inet4_bind", [BpfAttachType.CgroupInet6Bind] = "cgroup_inet6_bind",
        [BpfAttachType.CgroupInet4Connect] = "cgroup_inet4_connect", [BpfAttachType.CgroupInet6Connect] = "cgroup_inet6_connect",
        [BpfAttachType.CgroupInet4PostBind] = "cgroup_inet4_post_bind", [BpfAttachType.CgroupInet6PostBind] = "cgroup_inet6_post_bind",
        [BpfAttachType.CgroupUdp4Sendmsg] = "cgroup_udp4_sendmsg", [BpfAttachType.CgroupUdp6Sendmsg] = "cgroup_udp6_sendmsg",
        [BpfAttachType.CgroupUdp4Recvmsg] = "cgroup_udp4_recvmsg", [BpfAttachType.CgroupUdp6Recvmsg] = "cgroup_udp6_recvmsg",
        [BpfAttachType.CgroupSysctl] = "cgroup_sysctl", [BpfAttachType.CgroupGetsockopt] = "cgroup_getsockopt",
        [BpfAttachType.CgroupSetsockopt] = "cgroup_setsockopt",
        [BpfAttachType.CgroupInet4Getpeername] = "cgroup_inet4_getpeername", [BpfAttachType.CgroupInet6Getpeername] = "cgroup_inet6_getpeername",
        [BpfAttachType.CgroupInet4Getsockname] = "cgroup_inet4_getsockname", [BpfAttachType.CgroupInet6Getsockname] = "cgroup_inet6_getsockname",
    };

    [Fact]
    public void EveryCgroupHookAttachesBySectionNameAsBpftoolSees()
    {
        KernelObjects.RequireBpf();
        var spec = CgroupHooksSpec;
        var programs = spec.Programs.Where(p => !p.IsSubprogram).ToList();
        Assert.Equal(28, programs.Count);
        // The compiler's section for each attribute is the one the attribute itself names.
        var declared = typeof(BpfSharp.TestPrograms.Network.CgroupHooks).GetMethods()
            .Select(m => (m.Name, Attribute: m.GetCustomAttributes(typeof(BpfSharp.Kernel.BpfProgramAttribute), false).Cast<BpfSharp.Kernel.BpfProgramAttribute>().SingleOrDefault()))
            .Where(m => m.Attribute is not null).ToDictionary(m => m.Name, m => m.Attribute!.Section);
        Assert.Equal(declared.OrderBy(d => d.Key), programs.Select(p => new KeyValuePair<string, string>(p.Name, p.SectionName)).OrderBy(d => d.Key));

        using var cgroup = TestCgroup.Create("hooks");
        using var collection = BpfCollection.Load(spec);
        var links = new List<BpfLink>();
        try
        {
            foreach (var p in programs)
                links.Add(SectionAttach.Attach(collection.Programs[p.Name], p.SectionName, AttachTarget.Cgroup(cgroup.Path)));
            var shown = BpftoolCgroup(cgroup.Path);
            output.WriteLine(string.Join("\n", shown));
            for (var i = 0; i < programs.Count; i++)
            {
                var attachType = programs[i].Definition!.ExpectedAttachType;
                var id = collection.Programs[programs[i].Name].Id;
                var link = JsonDocument.Parse(KernelObjects.Bpftool("-j", "link", "show", "id", links[i].Id.ToString())).RootElement;
                Assert.Equal(id, link.GetProperty("prog_id").GetInt32());
                if (BpftoolNames.TryGetValue(attachType, out var name))
                {
                    Assert.Equal(name, link.GetProperty("attach_type").GetString());
                    Assert.Contains((id, name), shown);
                }
                else
                {
                    Assert.Equal((int)attachType, link.GetProperty("attach_type").GetInt32());
                }
            }
            Assert.Equal(programs.Count(p => BpftoolNames.ContainsKey(p.Definition!.ExpectedAttachType)), shown.Count);
        }
        finally
        {
            foreach (var link in links) link.Dispose();
        }
        Assert.Empty(BpftoolCgroup(cgroup.Path));
    }

    [Fact]
    public void SectionAttachSaysWhatTheTargetLacks()
    {
        KernelObjects.RequireBpf();
        using var collection = LoadHooks();
        var program = collection.Programs["EchoVerdict"];
        string Refusal(string section, AttachTarget target) =>
            Assert.Throws<NotSupportedException>(() => SectionAttach.Attach(program, section, target)).Message;

        Assert.Contains("sk_skb/stream_parser", Refusal("sk_skb", AttachTarget.Cgroup("/")));
        Assert.Contains("AttachTarget.Map", Refusal("sk_skb/verdict", AttachTarget.Cgroup("/")));
        Assert.Contains("AttachTarget.Map", Refusal("sk_msg", new AttachTarget()));
        Assert.Contains("AttachTarget.CgroupPath", Refusal("cgroup/connect4", new AttachTarget()));
        Assert.Contains("AttachTarget.CgroupPath", Refusal("sockops", AttachTarget.Interface(1)));
        Assert.Contains("AttachTarget.InterfaceIndex", Refusal("xdp", new AttachTarget()));
        Assert.Contains("AttachTarget.InterfaceIndex", Refusal("tc/ingress", new AttachTarget()));
        Assert.Contains("not attached by section name", Refusal("xdp/devmap", AttachTarget.Interface(1)));
        Assert.Contains("AttachTarget.RouteDestination", Refusal("lwt_in", AttachTarget.Interface(1)));
        Assert.Contains("AttachTarget.Socket", Refusal("sk_reuseport", AttachTarget.Interface(1)));
        Assert.Contains("not attached by section name", Refusal("lwt_seg6local", AttachTarget.Interface(1)));
        Assert.Contains("not in libbpf's section table", Refusal("no_such_section", new AttachTarget()));
    }

    [Theory]
    [InlineData("csharp", "sk_skb/stream_verdict")]
    [InlineData("csharp", "sk_skb/verdict")]
    [InlineData("c", "sk_skb/stream_verdict")]
    public void SkSkbVerdictEchoesWhatTheSocketReceives(string language, string verdictSection)
    {
        KernelObjects.RequireBpf();
        BpfObject? twin = null;
        BpfCollection? collection = null;
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            BpfProgram parser, verdict;
            BpfMap sockets;
            if (language == "c")
            {
                twin = BpfObject.Open(LoaderObjects.Compile(Path.Combine(Infrastructure.TestPaths.TestData, "loader", "net_hooks.c"), mustCompile: true)!);
                twin.Load();
                (parser, verdict, sockets) = (twin.Program("skb_parser"), twin.Program("skb_verdict"), twin.Map("sock_map"));
            }
            else
            {
                collection = LoadHooks();
                (parser, verdict, sockets) = (collection.Programs["WholeBuffer"],
                    collection.Programs[verdictSection == "sk_skb/verdict" ? "EchoVerdict" : "StreamToFirst"], collection.Maps["Sockets"]);
            }

            var (client, server) = ConnectedPair(listener);
            var links = new List<BpfLink>();
            using (client)
            using (server)
            {
                try
                {
                    if (verdictSection == "sk_skb/stream_verdict")
                        links.Add(SectionAttach.Attach(parser, "sk_skb/stream_parser", AttachTarget.SocketMap(sockets)));
                    links.Add(SectionAttach.Attach(verdict, verdictSection, AttachTarget.SocketMap(sockets)));
                    // The server's socket under key 0: what it receives, the verdict sends back out of it.
                    sockets.Update(0u, (uint)server.Handle);
                    client.Client.Send(Encoding.ASCII.GetBytes("echo!"));
                    Assert.Equal("echo!", ReceiveText(client.Client, 5));
                    Assert.False(server.Poll(TimeSpan.FromMilliseconds(200), SelectMode.SelectRead), "the data reached the server's reader");
                }
                finally
                {
                    sockets.Delete(BitConverter.GetBytes(0u));
                    foreach (var link in links) link.Dispose();
                }
            }
        }
        finally
        {
            listener.Stop();
            collection?.Dispose();
            twin?.Dispose();
        }
    }

    [Fact]
    public void FlowDissectorAttachesToANamespaceByPath()
    {
        KernelObjects.RequireBpf();
        using var collection = LoadHooks();
        using var veth = VethPair.Create();
        var program = collection.Programs["DissectNothing"];
        var target = AttachTarget.Namespace("/run/netns/" + veth.Namespace);
        int linkId;
        using (var link = SectionAttach.Attach(program, "flow_dissector", target))
        {
            linkId = link.Id;
            var shown = JsonDocument.Parse(KernelObjects.Bpftool("-j", "link", "show", "id", link.Id.ToString())).RootElement;
            Assert.Equal("netns", shown.GetProperty("type").GetString());
            Assert.Equal("flow_dissector", shown.GetProperty("attach_type").GetString());
            Assert.Equal(program.Id, shown.GetProperty("prog_id").GetInt32());
            // One flow dissector per namespace: the kernel answers E2BIG to a second.
            Assert.Equal(7, Assert.Throws<BpfSyscallException>(() => SectionAttach.Attach(program, "flow_dissector", target)).Errno);
        }
        KernelObjects.AssertGone("link", linkId);
    }
}
