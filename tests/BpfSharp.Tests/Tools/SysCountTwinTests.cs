using System.Diagnostics;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Runtime;

namespace BpfSharp.Tests.Tools;

/// <summary>
/// examples/tools/syscount (C# both halves) against its C twin (clang + libbpf): both count the syscalls of one
/// process this test controls (a shell that, once both tools are attached, execs dd for 300 one-byte copies) and
/// must print the same table, by syscall and by process.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class SysCountTwinTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("")]
    [InlineData("-P")]
    [InlineData("-x")]
    public void SameCountsAsTheCTwin(string mode)
    {
        KernelObjects.RequireBpf();
        ToolTwins.BuildCTwin("syscount");
        using var target = Process.Start(new ProcessStartInfo("/bin/bash",
            ["-c", "read line; exec /bin/dd if=/dev/zero of=/dev/null bs=1 count=300 status=none"])
        { RedirectStandardInput = true, UseShellExecute = false })!;
        try
        {
            string[] args = ["-p", target.Id.ToString(), "-T", "100", "-d", "120", .. mode.Length > 0 ? new[] { mode } : []];
            using var ours = ToolTwins.StartTool("syscount", args);
            using var theirs = ToolTwins.StartTwin("syscount", args);
            ours.WaitUntilReady(TimeSpan.FromSeconds(60));
            theirs.WaitUntilReady(TimeSpan.FromSeconds(60));

            target.StandardInput.WriteLine("go");
            target.StandardInput.Close();
            Assert.True(target.WaitForExit(30_000), "dd did not finish");
            Thread.Sleep(200); // the last sys_exit has run before the process is reaped; give the counters a moment anyway
            ours.Interrupt();
            theirs.Interrupt();
            var ourLines = ours.WaitForExit(TimeSpan.FromSeconds(30));
            var theirLines = theirs.WaitForExit(TimeSpan.FromSeconds(30));
            output.WriteLine(string.Join('\n', ourLines));

            // Timestamps aside; rows with equal counts may come in either order (qsort is not stable).
            static List<string> Table(IEnumerable<string> lines) => lines.Where(l => !l.StartsWith('[')).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(Table(theirLines), Table(ourLines));
            Assert.Equal(theirLines[0], ourLines[0]);
            switch (mode)
            {
                case "":
                    // dd copied 300 bytes one at a time: at least 300 reads and 300 writes.
                    Assert.Contains(ourLines, l => l.StartsWith("read ") && int.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) >= 300);
                    Assert.Contains(ourLines, l => l.StartsWith("write ") && int.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) >= 300);
                    break;
                case "-P":
                    // One process; its name is taken at its first counted syscall, before the exec (bcc does the same).
                    Assert.Contains(ourLines, l => l.StartsWith($"{target.Id,-6} bash "));
                    break;
            }
        }
        finally
        {
            if (!target.HasExited) target.Kill();
        }
    }
}
