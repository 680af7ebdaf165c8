using System.Diagnostics;

namespace BpfSharp.Tests.Infrastructure;

/// <summary>
/// Runs an action of this process under <c>strace -e trace=bpf</c> (attached to every thread by id), for tests that
/// compare our bpf() requests with another loader's where the kernel refuses them and nothing else can be observed.
/// </summary>
internal static class SelfTrace
{
    /// <summary>Runs <paramref name="action"/> while strace records this process's bpf() calls; returns strace's lines.</summary>
    public static string[] Bpf(Action action)
    {
        var dir = TestPaths.NewScratchDirectory("selftrace");
        var trace = Path.Combine(dir, "trace.txt");
        var tids = Directory.GetDirectories($"/proc/{Environment.ProcessId}/task").Select(Path.GetFileName).ToArray();
        var psi = new ProcessStartInfo("strace") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-e", "trace=bpf", "-s", "64", "-o", trace, "-p", string.Join(',', tids!) }) psi.ArgumentList.Add(a);
        using var strace = Process.Start(psi)!;
        try
        {
            // strace reports each thread it attached to on stderr; the action may only start once ours is traced.
            var attached = 0;
            var deadline = Stopwatch.StartNew();
            while (attached < tids.Length && deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                var line = strace.StandardError.ReadLine();
                if (line is null) break;
                if (line.Contains("attached", StringComparison.Ordinal)) attached++;
            }
            Assert.True(attached > 0, "strace attached to no thread of the test process");
            _ = strace.StandardError.ReadToEndAsync();
            action();
        }
        finally
        {
            // SIGINT makes strace detach cleanly (SIGKILL would leave the threads to the kernel's implicit detach).
            using (var kill = Process.Start("kill", ["-INT", strace.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
            strace.WaitForExit(20_000);
        }
        try
        {
            return File.ReadAllLines(trace);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
