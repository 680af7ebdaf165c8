namespace BpfSharp.Tests.Runtime;

/// <summary>
/// A veth pair with one end in this network namespace and the peer in a fresh namespace, addressed in a random
/// 10.251.x.0/24; disposing deletes both (deleting the host end removes the peer).
/// </summary>
internal sealed class VethPair : IDisposable
{
    private VethPair(string ns, string hostName, string peerName, string hostAddress, string peerAddress)
    {
        Namespace = ns;
        HostName = hostName;
        PeerName = peerName;
        HostAddress = hostAddress;
        PeerAddress = peerAddress;
    }

    public string Namespace { get; }
    public string HostName { get; }
    public string PeerName { get; }
    public string HostAddress { get; }
    public string PeerAddress { get; }

    public static VethPair Create()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var subnet = Random.Shared.Next(1, 250);
        var pair = new VethPair("bpfsharp_t_" + tag, "bsh" + tag, "bsp" + tag, $"10.251.{subnet}.1", $"10.251.{subnet}.2");
        try
        {
            AttachTestKit.Run("ip", "netns", "add", pair.Namespace);
            AttachTestKit.Run("ip", "link", "add", pair.HostName, "type", "veth", "peer", "name", pair.PeerName, "netns", pair.Namespace);
            AttachTestKit.Run("ip", "addr", "add", pair.HostAddress + "/24", "dev", pair.HostName);
            AttachTestKit.Run("ip", "link", "set", pair.HostName, "up");
            AttachTestKit.Run("ip", "-n", pair.Namespace, "addr", "add", pair.PeerAddress + "/24", "dev", pair.PeerName);
            AttachTestKit.Run("ip", "-n", pair.Namespace, "link", "set", pair.PeerName, "up");
            AttachTestKit.Run("ip", "-n", pair.Namespace, "link", "set", "lo", "up");
        }
        catch
        {
            pair.Dispose();
            throw;
        }
        return pair;
    }

    /// <summary>Sends <paramref name="count"/> UDP datagrams from the peer namespace to the host end (bash's /dev/udp).</summary>
    public void SendFromPeer(int count, int port = 9)
    {
        AttachTestKit.Run("ip", "netns", "exec", Namespace, "bash", "-c",
            $"for i in $(seq {count}); do echo bpfsharp > /dev/udp/{HostAddress}/{port}; done");
    }

    public void Dispose()
    {
        // Best effort: either may already be gone if creation failed half way.
        TryRun("ip", "link", "del", HostName);
        TryRun("ip", "netns", "del", Namespace);
    }

    private static void TryRun(string file, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(start);
        process?.WaitForExit();
    }
}
