using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using BpfSharp.Linux;
using BpfSharp.Linux.Links;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Objects;

namespace BpfSharp.Tests.Runtime;

/// <summary>
/// struct_ops for real: a TCP congestion control written in BPF (testdata/runtime/struct_ops/cc.c) is loaded,
/// registered (map update for <c>.struct_ops</c>, BPF link for <c>.struct_ops.link</c>), shows up in the kernel's
/// list of available congestion controls and in bpftool, carries a loopback TCP transfer (its cong_avoid program
/// counts the ACKs it handles) and is gone from the list once disposed. Each test registers a name of its own.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class StructOpsTests(ITestOutputHelper output)
{
    private const string Available = "/proc/sys/net/ipv4/tcp_available_congestion_control";

    private static string Compile(bool link)
    {
        var dir = TestPaths.NewScratchDirectory("struct_ops");
        var output = Path.Combine(dir, link ? "cc_link.o" : "cc.o");
        var define = link ? "'-DSTRUCT_OPS_SECTION=\".struct_ops.link\"' " : "";
        TestObjects.Run("sh", $"-c \"clang-19 -O2 -g -target bpf -I{ExternalTool.MultiarchIncludeDirectory} {define.Replace("\"", "\\\"")}-c {Path.Combine(TestPaths.TestData, "runtime", "struct_ops", "cc.c")} -o {output}\"");
        return output;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CongestionControlRegistersCarriesATransferAndUnregisters(bool link)
    {
        KernelObjects.RequireBpf();
        var variable = "bpfsharp_cc";
        var spec = ObjectSpec.Load(Compile(link));
        var so = Assert.Single(spec.StructOps);
        Assert.Equal(variable, so.Name);
        Assert.Equal(link, so.IsLink);
        Assert.Equal("tcp_congestion_ops", so.TypeName);
        Assert.Equal(["ssthresh", "cong_avoid", "undo_cwnd"], so.Programs.Select(p => p.MemberName));

        // A name of our own (tests of other processes may register at the same time).
        var name = $"bpfs{Environment.ProcessId % 100000}{(link ? "l" : "m")}";
        var loader = new BpfObjectLoader(spec);
        var data = loader.GetStructOpsData(variable);
        var nameOffset = NameOffset(spec, so);
        data.Slice(nameOffset, 16).Clear();
        Encoding.ASCII.GetBytes(name, data[nameOffset..]);

        using var c = loader.Load();
        var ops = c.StructOps[variable];
        Assert.Same(ops.Map, c.Maps[variable]);
        Assert.Equal(BpfMapType.StructOps, ops.Map.Type);
        Assert.Equal(link, (ops.Map.Flags & BpfMapFlags.Link) != 0);
        Assert.DoesNotContain(name, AvailableNames());

        int linkId;
        using (var registration = ops.Register())
        {
            linkId = registration.Id;
            Assert.Contains(name, AvailableNames());
            var shown = KernelObjects.Bpftool("struct_ops", "show", "id", ops.Map.Id.ToString());
            output.WriteLine(shown.Trim());
            Assert.Contains($"{ops.Map.Id}: {variable}", shown);
            Assert.Contains("tcp_congestion_ops", shown);
            if (link)
            {
                using var json = JsonDocument.Parse(KernelObjects.Bpftool("link", "show", "id", linkId.ToString(), "-j"));
                output.WriteLine(json.RootElement.ToString());
                Assert.Equal("struct_ops", json.RootElement.GetProperty("type").GetString());
            }
            else Assert.Equal(0, linkId);

            var before = c.ReadVariable<ulong>("cong_avoid_calls");
            var used = Transfer(name, 8 << 20);
            Assert.Equal(name, used);
            var calls = c.ReadVariable<ulong>("cong_avoid_calls") - before;
            output.WriteLine($"{name} ({(link ? ".struct_ops.link" : ".struct_ops")}): cong_avoid ran {calls} times during an 8 MiB loopback transfer");
            Assert.True(calls > 0, "the congestion control's cong_avoid never ran");
        }
        Assert.DoesNotContain(name, AvailableNames());
        if (link) KernelObjects.AssertGone("link", linkId);
    }

    private static int NameOffset(ObjectSpec spec, StructOpsSpec so)
    {
        foreach (var m in spec.Btf![so.TypeId].Members)
            if (m.Name == "name") return (int)(m.BitOffset / 8);
        throw new InvalidOperationException("no name member");
    }

    internal static string[] AvailableNames() => File.ReadAllText(Available).Split(' ', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Sends <paramref name="bytes"/> over loopback TCP from a socket set to congestion control <paramref name="name"/>; returns what the socket reports using.</summary>
    internal static string Transfer(string name, int bytes)
    {
        const int TcpCongestion = 13; // TCP_CONGESTION
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var nameBytes = Encoding.ASCII.GetBytes(name);
        client.SetRawSocketOption((int)SocketOptionLevel.Tcp, TcpCongestion, nameBytes);
        client.Connect(listener.LocalEndPoint!);
        using var server = listener.Accept();
        var reader = Task.Run(() =>
        {
            var buffer = new byte[1 << 16];
            long total = 0;
            while (total < bytes)
            {
                int n = server.Receive(buffer);
                if (n == 0) break;
                total += n;
            }
            return total;
        });
        var chunk = new byte[1 << 16];
        for (int sent = 0; sent < bytes; sent += chunk.Length) client.Send(chunk);
        Assert.True(reader.Wait(TimeSpan.FromSeconds(60)), "transfer did not finish");
        Assert.Equal(bytes, reader.Result);
        var used = new byte[16];
        int length = client.GetRawSocketOption((int)SocketOptionLevel.Tcp, TcpCongestion, used);
        return Encoding.ASCII.GetString(used, 0, length).TrimEnd('\0');
    }

    private const string Prelude = """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>
        char LICENSE[] SEC("license") = "GPL";
        struct sock;
        """;

    internal static string CompileSource(string name, string source)
    {
        var dir = TestPaths.NewScratchDirectory("struct_ops_bad");
        var c = Path.Combine(dir, name + ".c");
        File.WriteAllText(c, Prelude + source);
        var o = Path.Combine(dir, name + ".o");
        TestObjects.Run("clang-19", $"-O2 -g -target bpf -I{ExternalTool.MultiarchIncludeDirectory} -c {c} -o {o}");
        return o;
    }

    [Fact]
    public void AStructOpsSlotPointingAtANonStructOpsProgramIsAFormatErrorNamingIt()
    {
        var o = CompileSource("wrong_section", """
            struct tcp_congestion_ops { __u32 (*ssthresh)(struct sock *sk); char name[16]; };
            SEC("xdp") int not_ops(struct xdp_md *ctx) { return XDP_PASS; }
            SEC(".struct_ops") struct tcp_congestion_ops bad = { .ssthresh = (void *)not_ops, .name = "bad" };
            """);
        var e = Assert.Throws<BpfFormatException>(() => ObjectSpec.Load(o));
        Assert.Contains("program 'not_ops' is in section 'xdp', not struct_ops/", e.Message);
        Assert.Contains(".rel.struct_ops", e.Message);
    }

    [Fact]
    public void AMemberTheKernelLacksFailsTheLoadNamingItUnlessItIsZero()
    {
        KernelObjects.RequireBpf();
        var o = CompileSource("extra_member", """
            struct tcp_congestion_ops { __u32 (*ssthresh)(struct sock *sk); __u32 bpfsharp_no_such_member; char name[16]; };
            SEC("struct_ops/s") __u32 s(void *ctx) { return 2; }
            SEC(".struct_ops") struct tcp_congestion_ops extra = { .ssthresh = (void *)s, .bpfsharp_no_such_member = 7, .name = "x" };
            """);
        var e = Assert.Throws<BpfLoadException>(() => BpfCollection.Load(o));
        Assert.Contains("struct_ops map 'extra': member 'bpfsharp_no_such_member' is not found in kernel struct tcp_congestion_ops", e.Message);

        // Zero, the member is skipped as libbpf does, and the rest loads (not registered: nothing is left behind).
        var loader = new BpfObjectLoader(ObjectSpec.Load(o));
        var data = loader.GetStructOpsData("extra");
        data.Slice(8, 4).Clear();
        using var c = loader.Load();
        Assert.Equal(BpfMapType.StructOps, c.StructOps["extra"].Map.Type);
        Assert.Contains("s", c.Programs.Keys);
    }
}
