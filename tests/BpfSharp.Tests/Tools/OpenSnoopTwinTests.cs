using System.Diagnostics;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Runtime;

namespace BpfSharp.Tests.Tools;

/// <summary>
/// examples/tools/opensnoop (C# both halves) against its C twin (clang + libbpf): both trace one process this test
/// controls (a shell that, once both tools are attached, execs cat on a file that exists and one that does not) and
/// must print the same lines in the same order: pid, comm, fd, errno, flags (-e) and path.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class OpenSnoopTwinTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("-e")]
    [InlineData("-x")]
    public void SameOpensAsTheCTwin(string mode)
    {
        KernelObjects.RequireBpf();
        ToolTwins.BuildCTwin("opensnoop");
        var missing = $"/nonexistent/bpfsharp-opensnoop-{Environment.ProcessId}";
        using var target = Process.Start(new ProcessStartInfo("/bin/bash",
            ["-c", $"read line; exec /bin/cat /etc/hostname {missing}"])
        { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        try
        {
            string[] args = ["-p", target.Id.ToString(), "-d", "120", mode];
            using var ours = ToolTwins.StartTool("opensnoop", args);
            using var theirs = ToolTwins.StartTwin("opensnoop", args);
            ours.WaitUntilReady(TimeSpan.FromSeconds(60));
            theirs.WaitUntilReady(TimeSpan.FromSeconds(60));

            target.StandardInput.WriteLine("go");
            target.StandardInput.Close();
            target.StandardOutput.ReadToEnd();
            target.StandardError.ReadToEnd();
            Assert.True(target.WaitForExit(30_000), "cat did not finish");
            ours.WaitFor(l => l.Any(x => x.EndsWith(missing)), TimeSpan.FromSeconds(30), "the failed open");
            theirs.WaitFor(l => l.Any(x => x.EndsWith(missing)), TimeSpan.FromSeconds(30), "the failed open");
            ours.Interrupt();
            theirs.Interrupt();
            var ourLines = ours.WaitForExit(TimeSpan.FromSeconds(30));
            var theirLines = theirs.WaitForExit(TimeSpan.FromSeconds(30));
            output.WriteLine(string.Join('\n', ourLines));

            Assert.Equal(theirLines, ourLines);
            Assert.Contains(ourLines, l => l.StartsWith($"{target.Id,-6} cat ") && l.Contains("  -1   2 ") && l.EndsWith(missing)); // ENOENT
            if (mode == "-e")
                Assert.Contains(ourLines, l => l.StartsWith($"{target.Id,-6} cat ") && l.EndsWith(" /etc/hostname") && !l.Contains(" -1 "));
            else
                Assert.DoesNotContain(ourLines, l => l.EndsWith(" /etc/hostname"));
        }
        finally
        {
            if (!target.HasExited) target.Kill();
        }
    }
}
