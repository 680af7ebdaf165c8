using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Runtime;

/// <summary>
/// A cgroup v2 directory of this test alone, under the hierarchy's root wherever this machine mounts it. Commands
/// run inside it through a shell that first moves itself there, so the test process never changes cgroup.
/// Disposing removes the directory (once the shells have exited).
/// </summary>
internal sealed class TestCgroup : IDisposable
{
    private TestCgroup(string path) => Path = path;

    /// <summary>The cgroup directory.</summary>
    public string Path { get; }

    /// <summary>The cgroup v2 mount point, or null when none is mounted.</summary>
    public static string? Root =>
        File.ReadAllLines("/proc/mounts").Select(l => l.Split(' ')).FirstOrDefault(f => f.Length > 2 && f[2] == "cgroup2")?[1];

    /// <summary>Creates the directory; skips the test when the machine has no cgroup v2 hierarchy.</summary>
    public static TestCgroup Create(string tag)
    {
        var root = Root;
        Assert.SkipWhen(root is null, "this machine has no cgroup v2 hierarchy mounted");
        var path = System.IO.Path.Combine(root!, $"bpfsharp_t_{tag}_{Environment.ProcessId}_{Guid.NewGuid().ToString("N")[..6]}");
        Directory.CreateDirectory(path);
        return new TestCgroup(path);
    }

    /// <summary>Runs <paramref name="script"/> with bash inside the cgroup.</summary>
    public ToolResult Run(string script) =>
        ExternalTool.Run("bash", ["-c", $"echo $$ > '{Path}/cgroup.procs' || exit 99\n{script}"]);

    public void Dispose()
    {
        // An exiting shell may still be counted for a moment after it was reaped.
        for (var attempt = 0; attempt < 50; attempt++)
        {
            try
            {
                Directory.Delete(Path);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (IOException)
            {
                Thread.Sleep(20);
            }
        }
        Directory.Delete(Path);
    }
}
