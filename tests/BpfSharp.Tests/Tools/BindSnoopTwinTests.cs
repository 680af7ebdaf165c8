using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Runtime;

namespace BpfSharp.Tests.Tools;

/// <summary>
/// examples/tools/bindsnoop (C# both halves) against its C twin (clang + libbpf), both at tp_btf/sys_enter and
/// sys_exit since this kernel has no kprobes for inet_bind: both trace one process this test controls (net_trigger:
/// TCP/IPv4 with SO_REUSEADDR, UDP/IPv6 with SO_REUSEPORT and IP_FREEBIND, TCP/IPv4 with IP_TRANSPARENT and
/// IP_BIND_ADDRESS_NO_PORT, a Unix socket, and a bind that fails with EADDRINUSE) and must print the same lines, with
/// the options, ports and addresses the trigger set and the kernel gave it, and no line for the Unix socket.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class BindSnoopTwinTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("-x")]
    [InlineData("")]
    public void SameBindsAsTheCTwin(string mode)
    {
        KernelObjects.RequireBpf();
        ToolTwins.BuildCTwin("bindsnoop");
        using var trigger = new NetTrigger("bind");
        string[] args = mode == "" ? ["-p", trigger.Id.ToString()] : ["-p", trigger.Id.ToString(), mode];
        using var ours = ToolTwins.StartTool("bindsnoop", args);
        using var theirs = ToolTwins.StartTwin("bindsnoop", args);
        ours.WaitUntilReady(TimeSpan.FromSeconds(60));
        theirs.WaitUntilReady(TimeSpan.FromSeconds(60));

        var done = trigger.Go();
        var (port4, port6) = (done[0], done[1]);
        Assert.Equal("98", done[2]); // EADDRINUSE
        var expected = mode == "-x" ? 4 : 3;
        ours.WaitFor(l => l.Count > expected, TimeSpan.FromSeconds(30), $"{expected} binds");
        theirs.WaitFor(l => l.Count > expected, TimeSpan.FromSeconds(30), $"{expected} binds");
        Thread.Sleep(300); // a line for the Unix socket would be a bug: let it show up
        ours.Interrupt();
        theirs.Interrupt();
        var ourLines = ours.WaitForExit(TimeSpan.FromSeconds(30));
        var theirLines = theirs.WaitForExit(TimeSpan.FromSeconds(30));
        output.WriteLine(string.Join('\n', ourLines));

        Assert.Equal(theirLines, ourLines);
        string Line(int ret, string proto, string opts, string port, string addr) =>
            $"{trigger.Id,-7} {"net_trigger",-16} {ret,-3} {proto,-5} {opts,-5} {0,-4} {port,-5} {addr,-48}";
        var lines = new List<string>
        {
            $"{"PID",-7} {"COMM",-16} {"RET",-3} {"PROTO",-5} {"OPTS",-5} {"IF",-4} {"PORT",-5} {"ADDR",-48}",
            Line(0, "TCP", "...R.", port4, "127.0.0.1"),
            Line(0, "UDP", "F...r", port6, "::1"),
            Line(0, "TCP", ".TN..", "0", "0.0.0.0"),
        };
        if (mode == "-x") lines.Add(Line(-98, "TCP", ".....", port4, "127.0.0.1")); // what it asked for
        Assert.Equal(lines, ourLines);
    }

    /// <summary>-P: only the binds of the listed ports (the TCP socket on a port the test chose, and the failed bind to
    /// it); the UDP socket's port, which the kernel picks, is not listed.</summary>
    [Fact]
    public void PortFilterAsTheCTwin()
    {
        KernelObjects.RequireBpf();
        ToolTwins.BuildCTwin("bindsnoop");
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }
        using var trigger = new NetTrigger("bind", port.ToString());
        string[] args = ["-p", trigger.Id.ToString(), "-x", "-P", $"{port},1"];
        using var ours = ToolTwins.StartTool("bindsnoop", args);
        using var theirs = ToolTwins.StartTwin("bindsnoop", args);
        ours.WaitUntilReady(TimeSpan.FromSeconds(60));
        theirs.WaitUntilReady(TimeSpan.FromSeconds(60));

        var done = trigger.Go();
        Assert.Equal(port.ToString(), done[0]);
        ours.WaitFor(l => l.Count > 2, TimeSpan.FromSeconds(30), "2 binds");
        theirs.WaitFor(l => l.Count > 2, TimeSpan.FromSeconds(30), "2 binds");
        Thread.Sleep(300); // a line for another port would be a bug: let it show up
        ours.Interrupt();
        theirs.Interrupt();
        var ourLines = ours.WaitForExit(TimeSpan.FromSeconds(30));
        var theirLines = theirs.WaitForExit(TimeSpan.FromSeconds(30));
        output.WriteLine(string.Join('\n', ourLines));

        Assert.Equal(theirLines, ourLines);
        Assert.Equal(3, ourLines.Count);
        Assert.Equal($"{trigger.Id,-7} {"net_trigger",-16} {0,-3} {"TCP",-5} {"...R.",-5} {0,-4} {port,-5} {"127.0.0.1",-48}", ourLines[1]);
        Assert.Equal($"{trigger.Id,-7} {"net_trigger",-16} {-98,-3} {"TCP",-5} {".....",-5} {0,-4} {port,-5} {"127.0.0.1",-48}", ourLines[2]);
    }
}
