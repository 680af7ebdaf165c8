using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Runtime;

namespace BpfSharp.Tests.Tools;

/// <summary>
/// examples/tools/exitsnoop (C# both halves) against its C twin (clang + libbpf): both trace the same exits of
/// children this test starts (a clean exit, an exit code, a SIGKILL) and must print the same lines, ages aside.
/// Runs on the ring buffer and, with --perf-buffer / -P, on the perf buffer fallback.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class ExitSnoopTwinTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SameExitsAsTheCTwin(bool perfBuffer)
    {
        KernelObjects.RequireBpf();
        ToolTwins.BuildCTwin("exitsnoop");
        var duration = "120"; // a bound only: the test interrupts both once they have printed the exits
        using var ours = ToolTwins.StartTool("exitsnoop", perfBuffer ? ["-d", duration, "--perf-buffer"] : ["-d", duration]);
        using var theirs = ToolTwins.StartTwin("exitsnoop", perfBuffer ? ["-d", duration, "-P"] : ["-d", duration]);
        ours.WaitUntilReady(TimeSpan.FromSeconds(60));
        theirs.WaitUntilReady(TimeSpan.FromSeconds(60));

        // Three children of one shell: exit 0, exit 3, and a sleep killed by SIGKILL once it is running as sleep
        // (checked with the shell's builtin read, so no other child exits in between).
        using var parent = System.Diagnostics.Process.Start("/bin/bash", ["-c",
            "exec 2>/dev/null; /bin/true; /bin/sh -c 'exit 3'; /bin/sleep 30 & until read c < /proc/$!/comm && [ \"$c\" = sleep ]; do :; done; kill -9 $!; wait; exit 0"])!;
        parent.WaitForExit();
        var parentPid = parent.Id;

        static bool HasAll(IReadOnlyList<string> lines, int parentPid) =>
            lines.Count(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: >= 6 } f && f[2] == parentPid.ToString()) >= 3;
        ours.WaitFor(l => HasAll(l, parentPid), TimeSpan.FromSeconds(30), "the three exits");
        theirs.WaitFor(l => HasAll(l, parentPid), TimeSpan.FromSeconds(30), "the three exits");
        ours.Interrupt();
        theirs.Interrupt();
        var ourLines = ours.WaitForExit(TimeSpan.FromSeconds(90));
        var theirLines = theirs.WaitForExit(TimeSpan.FromSeconds(90));
        output.WriteLine(string.Join('\n', ourLines.Take(3)));
        Assert.Equal(theirLines[0], ourLines[0]);

        static List<string> Children(IEnumerable<string> lines, int parentPid) =>
            lines.Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f.Length >= 6 && f[2] == parentPid.ToString())
                .Select(f => string.Join(' ', f.Take(4).Concat(f.Skip(5)))) // drop AGE(s): the clocks differ by microseconds
                .Order().ToList();
        var ourChildren = Children(ourLines, parentPid);
        var theirChildren = Children(theirLines, parentPid);
        output.WriteLine(string.Join('\n', ourChildren));
        Assert.Equal(3, ourChildren.Count);
        Assert.Equal(theirChildren, ourChildren);
        Assert.Contains(ourChildren, l => l.StartsWith("true ") && l.EndsWith(" 0"));
        Assert.Contains(ourChildren, l => l.StartsWith("sh ") && l.EndsWith(" code 3"));
        Assert.Contains(ourChildren, l => l.StartsWith("sleep ") && l.EndsWith(" signal 9 (Killed)"));
    }
}
