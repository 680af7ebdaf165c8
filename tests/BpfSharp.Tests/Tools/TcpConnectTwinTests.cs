using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Runtime;

namespace BpfSharp.Tests.Tools;

/// <summary>
/// examples/tools/tcpconnect (C# both halves) against its C twin (clang + libbpf), both at tp_btf/inet_sock_set_state
/// (this kernel has no kprobes): both trace one process this test controls (net_trigger: listeners on 127.0.0.1 and
/// ::1, then connects to the IPv4 one twice and the IPv6 one once) and must print the same lines; the lines must
/// name the ports the trigger's listeners got from the kernel.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class TcpConnectTwinTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("-U")]
    [InlineData("-6")]
    [InlineData("-P")]
    public void SameConnectsAsTheCTwin(string mode)
    {
        KernelObjects.RequireBpf();
        ToolTwins.BuildCTwin("tcpconnect");
        using var trigger = new NetTrigger("connect");
        var (port4, port6) = (trigger.Ready[0], trigger.Ready[1]);
        string[] args = mode == "-P" ? ["-p", trigger.Id.ToString(), "-P", $"{port4},1"] : ["-p", trigger.Id.ToString(), mode];
        using var ours = ToolTwins.StartTool("tcpconnect", args);
        using var theirs = ToolTwins.StartTwin("tcpconnect", args);
        ours.WaitUntilReady(TimeSpan.FromSeconds(60));
        theirs.WaitUntilReady(TimeSpan.FromSeconds(60));

        trigger.Go();
        var expected = mode switch { "-6" => 1, "-P" => 2, _ => 3 };
        ours.WaitFor(l => l.Count > expected, TimeSpan.FromSeconds(30), $"{expected} connects");
        theirs.WaitFor(l => l.Count > expected, TimeSpan.FromSeconds(30), $"{expected} connects");
        Thread.Sleep(300); // anything more would be a bug: let it show up
        ours.Interrupt();
        theirs.Interrupt();
        var ourLines = ours.WaitForExit(TimeSpan.FromSeconds(30));
        var theirLines = theirs.WaitForExit(TimeSpan.FromSeconds(30));
        output.WriteLine(string.Join('\n', ourLines));

        Assert.Equal(theirLines, ourLines);
        Assert.Equal(expected + 1, ourLines.Count);
        var prefix = mode == "-U" ? "0     " : "";
        var v4 = $"{prefix}{trigger.Id,-6} net_trigger  4  {"127.0.0.1",-16} {"127.0.0.1",-16} {port4,-5}";
        var v6 = $"{prefix}{trigger.Id,-6} net_trigger  6  {"::1",-16} {"::1",-16} {port6,-5}";
        Assert.Equal(mode == "-6" ? 0 : 2, ourLines.Count(l => l == v4));
        Assert.Equal(mode == "-P" ? 0 : 1, ourLines.Count(l => l == v6));
    }

    [Fact]
    public void SameCountsAsTheCTwin()
    {
        KernelObjects.RequireBpf();
        ToolTwins.BuildCTwin("tcpconnect");
        using var trigger = new NetTrigger("connect");
        var (port4, port6) = (trigger.Ready[0], trigger.Ready[1]);
        string[] args = ["-c", "-p", trigger.Id.ToString()];
        using var ours = ToolTwins.StartTool("tcpconnect", args);
        using var theirs = ToolTwins.StartTwin("tcpconnect", args);
        ours.WaitUntilReady(TimeSpan.FromSeconds(60));
        theirs.WaitUntilReady(TimeSpan.FromSeconds(60));

        trigger.Go();
        ours.Interrupt();
        theirs.Interrupt();
        var ourLines = ours.WaitForExit(TimeSpan.FromSeconds(30));
        var theirLines = theirs.WaitForExit(TimeSpan.FromSeconds(30));
        output.WriteLine(string.Join('\n', ourLines));

        // Rows come in hash map order, which differs between the two maps: compare the header in place, rows as sets.
        Assert.Equal(theirLines.Take(3), ourLines.Take(3));
        Assert.Equal(theirLines.Skip(3).Order(), ourLines.Skip(3).Order());
        Assert.Equal(["Tracing connect ... Hit Ctrl-C to end", ""], ourLines.Take(2));
        Assert.Equal($"{"LADDR",-25} {"RADDR",-25} {"RPORT",-20} {"CONNECTS",-10}", ourLines[2]);
        Assert.Equal(
            new[] { $"{"127.0.0.1",-25} {"127.0.0.1",-25} {port4,-20} {2,-10}", $"{"::1",-25} {"::1",-25} {port6,-20} {1,-10}" }.Order(),
            ourLines.Skip(3).Order());
    }
}
