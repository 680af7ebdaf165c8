using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Runtime;

/// <summary>
/// A network namespace named for this process and test (<c>ip netns add</c>), with its loopback up. Code that must
/// run inside it (sockets, netlink, ifindexes, netns-relative attaches) goes through <see cref="Run"/>, on a thread
/// that has entered it; disposing deletes the namespace and every interface in it.
/// </summary>
internal sealed partial class TestNetworkNamespace : IDisposable
{
    private const int CloneNewNet = 0x40000000;

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNamespace(int fd, int type);

    public TestNetworkNamespace(string what)
    {
        Name = $"bpfsharp_{what}_{Environment.ProcessId}_{Guid.NewGuid().ToString("N")[..6]}";
        AttachTestKit.Run("ip", "netns", "add", Name);
        try
        {
            AttachTestKit.Run("ip", "-n", Name, "link", "set", "lo", "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name { get; }

    /// <summary>The namespace's file, for attaches that take one.</summary>
    public string Path => $"/run/netns/{Name}";

    /// <summary>Runs <paramref name="action"/> on a new thread inside the namespace and rethrows what it throws.</summary>
    public void Run(Action action)
    {
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using (var ns = File.OpenHandle(Path))
                    if (SetNamespace((int)ns.DangerousGetHandle(), CloneNewNet) != 0)
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

    /// <summary>Runs <paramref name="file"/> inside the namespace (<c>ip netns exec</c>) and returns stdout; fails the test on a non-zero exit.</summary>
    public string Exec(string file, params string[] args) => AttachTestKit.Run("ip", ["netns", "exec", Name, file, .. args]);

    /// <summary>Runs <c>ip -n NAME ARGS</c> and returns stdout.</summary>
    public string Ip(params string[] args) => AttachTestKit.Run("ip", ["-n", Name, .. args]);

    public void Dispose() => ExternalTool.Run("ip", ["netns", "del", Name]);
}
