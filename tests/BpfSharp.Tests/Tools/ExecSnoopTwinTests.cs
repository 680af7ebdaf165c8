using System.Diagnostics;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Runtime;

namespace BpfSharp.Tests.Tools;

/// <summary>
/// examples/execsnoop (C# both halves) against its C twin (examples/execsnoop/c, clang + libbpf): both trace the
/// execs of a shell this test starts (a successful one with arguments and a missing binary) and must print the
/// same lines for them.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class ExecSnoopTwinTests(ITestOutputHelper output)
{
    [Fact]
    public void SameExecsAsTheCTwin()
    {
        KernelObjects.RequireBpf();
        ToolTwins.BuildCTwin("execsnoop");
        var marker = $"bpfsharp-twin-{Environment.ProcessId}";
        using var ours = new ToolTwins.Running("dotnet",
            [Path.Combine(ToolTwins.ToolDirectory("execsnoop"), "bin", Infrastructure.TestPaths.Configuration, "net10.0", "execsnoop.dll"), "-d", "120"]);
        using var theirs = ToolTwins.StartTwin("execsnoop", "-d", "120");
        ours.WaitUntilReady(TimeSpan.FromSeconds(60));
        theirs.WaitUntilReady(TimeSpan.FromSeconds(60));

        using (var shell = Process.Start("/bin/bash", ["-c", $"/bin/echo {marker} two three >/dev/null; /nonexistent/{marker} 2>/dev/null; exit 0"])!)
            shell.WaitForExit();
        static bool Both(IReadOnlyList<string> lines, string marker) => lines.Count(l => l.Contains(marker)) >= 2;
        ours.WaitFor(l => Both(l, marker), TimeSpan.FromSeconds(30), "the two execs");
        theirs.WaitFor(l => Both(l, marker), TimeSpan.FromSeconds(30), "the two execs");
        ours.Interrupt();
        theirs.Interrupt();
        var ourLines = ours.WaitForExit(TimeSpan.FromSeconds(30));
        var theirLines = theirs.WaitForExit(TimeSpan.FromSeconds(30));

        Assert.Equal(theirLines[0], ourLines[0]);
        // The bash -c line itself carries the marker too; compare every line that does.
        var ourExecs = ourLines.Where(l => l.Contains(marker)).ToList();
        var theirExecs = theirLines.Where(l => l.Contains(marker)).ToList();
        output.WriteLine(string.Join('\n', ourExecs));
        Assert.Equal(theirExecs, ourExecs);
        Assert.Contains(ourExecs, l => l.StartsWith("echo ") && l.EndsWith($"  0 /bin/echo {marker} two three"));
        Assert.Contains(ourExecs, l => l.StartsWith("bash ") && l.EndsWith($" -2 /nonexistent/{marker}"));
    }
}
