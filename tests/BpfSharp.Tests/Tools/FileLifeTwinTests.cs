using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Runtime;

namespace BpfSharp.Tests.Tools;

/// <summary>
/// examples/tools/filelife (C# both halves, the syscall tracepoint variant: this kernel has no kprobes for bcc's
/// vfs_create/vfs_unlink) against its C twin (clang + libbpf). Once both are attached, this test creates files with
/// names of its own and deletes some: one after 1.2 s, one at once, one it created before the tools were attached
/// (no creation seen: no line), one it keeps (no deletion: no line). Both tools must print the same lines for these
/// names (pid, comm, file) in the same order, with ages that agree to 0.02 s and match the test's own clock.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class FileLifeTwinTests(ITestOutputHelper output)
{
    [Fact]
    public void SameFileLivesAsTheCTwin()
    {
        KernelObjects.RequireBpf();
        ToolTwins.BuildCTwin("filelife");
        var scratch = TestPaths.NewScratchDirectory($"filelife-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var tag = $"bpfsharp-filelife-{Environment.ProcessId}-{Random.Shared.Next():x}";
        string File(string name) => Path.Combine(scratch, $"{tag}-{name}");
        try
        {
            System.IO.File.WriteAllText(File("before"), "created before the tools listen");
            using var ours = ToolTwins.StartTool("filelife");
            using var theirs = ToolTwins.StartTwin("filelife");
            ours.WaitUntilReady(TimeSpan.FromSeconds(60));
            theirs.WaitUntilReady(TimeSpan.FromSeconds(60));
            ours.WaitFor(l => l.Count >= 3, TimeSpan.FromSeconds(30), "the column header");
            theirs.WaitFor(l => l.Count >= 3, TimeSpan.FromSeconds(30), "the column header");

            System.IO.File.WriteAllText(File("slow"), "lives 1.2 s");
            var created = DateTime.UtcNow;
            System.IO.File.WriteAllText(File("kept"), "never deleted");
            System.IO.File.WriteAllText(File("fast"), "deleted at once");
            System.IO.File.Delete(File("fast"));
            Thread.Sleep(1200);
            System.IO.File.Delete(File("slow"));
            var slowAge = (DateTime.UtcNow - created).TotalSeconds;
            System.IO.File.Delete(File("before"));

            ours.WaitFor(l => l.Any(x => x.EndsWith($"{tag}-slow")), TimeSpan.FromSeconds(30), "the slow file's deletion");
            theirs.WaitFor(l => l.Any(x => x.EndsWith($"{tag}-slow")), TimeSpan.FromSeconds(30), "the slow file's deletion");
            ours.Interrupt();
            theirs.Interrupt();
            var ourLines = ours.WaitForExit(TimeSpan.FromSeconds(30));
            var theirLines = theirs.WaitForExit(TimeSpan.FromSeconds(30));
            output.WriteLine(string.Join('\n', ourLines));

            Assert.Equal(theirLines.Take(3), ourLines.Take(3));
            Assert.Contains("variant without kprobes", ourLines[1]);
            var ourEvents = Events(ourLines, tag);
            var theirEvents = Events(theirLines, tag);
            Assert.Equal([$"{tag}-fast", $"{tag}-slow"], ourEvents.Select(e => e.File));
            Assert.Equal(theirEvents.Select(e => (e.Pid, e.Comm, e.File)), ourEvents.Select(e => (e.Pid, e.Comm, e.File)));
            Assert.All(ourEvents, e => Assert.Equal(Environment.ProcessId.ToString(), e.Pid));
            for (var i = 0; i < ourEvents.Count; i++)
                Assert.True(Math.Abs(ourEvents[i].Age - theirEvents[i].Age) <= 0.02, $"{ourEvents[i].File}: age {ourEvents[i].Age} against the twin's {theirEvents[i].Age}");
            Assert.InRange(ourEvents[0].Age, 0, 0.2);
            Assert.InRange(ourEvents[1].Age, 1.15, slowAge + 0.02);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>The lines about this test's files: "TIME PID COMM AGE(s) FILE", the comm possibly with spaces.</summary>
    private static List<(string Pid, string Comm, double Age, string File)> Events(IEnumerable<string> lines, string tag) =>
        lines.Where(l => l.Contains(tag)).Select(l =>
        {
            var m = System.Text.RegularExpressions.Regex.Match(l, @"^\S+ (\d+)\s+(.*?)\s+(\d+\.\d\d)\s+(\S+)$");
            Assert.True(m.Success, $"not a filelife line: '{l}'");
            return (m.Groups[1].Value, m.Groups[2].Value, double.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups[4].Value);
        }).ToList();
}
