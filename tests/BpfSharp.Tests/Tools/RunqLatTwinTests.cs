using System.Diagnostics;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Runtime;

namespace BpfSharp.Tests.Tools;

/// <summary>
/// examples/tools/runqlat (C# both halves, histogram printed by BpfSharp.Linux.Tools.Histogram) against its C twin
/// (clang + libbpf, printf formats of print_log2_hist): both follow one process this test controls, which sleeps
/// 1 ms 200 times once both are attached. Each must count every time it was switched in after a wake-up, so the
/// totals are equal; the latencies are measured by two programs a few hundred nanoseconds apart, so a count may
/// sit one slot over (a latency near a power of two), but no further.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class RunqLatTwinTests(ITestOutputHelper output)
{
    [Fact]
    public void SameHistogramAsTheCTwin()
    {
        KernelObjects.RequireBpf();
        ToolTwins.BuildCTwin("runqlat");
        var nap = ToolTestKit.BuildC("nap.c", "nap");
        using var target = Process.Start(new ProcessStartInfo(nap, ["200"]) { RedirectStandardInput = true, UseShellExecute = false })!;
        try
        {
            string[] args = ["-P", "-p", target.Id.ToString()];
            using var ours = ToolTwins.StartTool("runqlat", args);
            using var theirs = ToolTwins.StartTwin("runqlat", args);
            ours.WaitUntilReady(TimeSpan.FromSeconds(60));
            theirs.WaitUntilReady(TimeSpan.FromSeconds(60));

            target.StandardInput.WriteLine("go");
            target.StandardInput.Close();
            Assert.True(target.WaitForExit(60_000), "nap did not finish");
            ours.Interrupt();
            theirs.Interrupt();
            var ourLines = ours.WaitForExit(TimeSpan.FromSeconds(30));
            var theirLines = theirs.WaitForExit(TimeSpan.FromSeconds(30));
            output.WriteLine(string.Join('\n', ourLines));
            output.WriteLine(string.Join('\n', theirLines));

            Assert.Equal(theirLines[0], ourLines[0]);
            Assert.Contains($"pid = {target.Id} nap", ourLines);
            Assert.Contains($"pid = {target.Id} nap", theirLines);
            Assert.Equal(theirLines.First(l => l.Contains(" : count")), ourLines.First(l => l.Contains(" : count")));
            var ourSlots = Slots(ourLines);
            var theirSlots = Slots(theirLines);
            // Nearly every sleep is one wake-up and one switch-in; a timer that fires before the task has switched out
            // wakes it without a switch, so a few may be missing (on both sides alike).
            Assert.True(ourSlots.Sum() >= 150, $"only {ourSlots.Sum()} wake-ups counted for 200 sleeps");
            Assert.Equal(theirSlots.Sum(), ourSlots.Sum());
            // Same shape: no count is more than one slot away from where the other tool put it, i.e. each side's
            // cumulative count up to slot i is covered by the other's up to slot i + 1.
            var ourCumulative = Cumulative(ourSlots, 64);
            var theirCumulative = Cumulative(theirSlots, 64);
            for (var i = 0; i + 1 < 64; i++)
            {
                Assert.True(ourCumulative[i] <= theirCumulative[i + 1] && theirCumulative[i] <= ourCumulative[i + 1],
                    $"counts moved by more than one slot around slot {i}: {ourCumulative[i]}/{ourCumulative[i + 1]} vs {theirCumulative[i]}/{theirCumulative[i + 1]}");
            }
        }
        finally
        {
            if (!target.HasExited) target.Kill();
        }
    }

    private static long[] Cumulative(List<long> slots, int length)
    {
        var result = new long[length];
        long running = 0;
        for (var i = 0; i < length; i++) result[i] = running += i < slots.Count ? slots[i] : 0;
        return result;
    }

    /// <summary>The counts of the histogram rows ("low -> high : count |stars|").</summary>
    private static List<long> Slots(IEnumerable<string> lines) =>
        lines.Where(l => l.Contains(" -> ") && l.Contains('|'))
            .Select(l => long.Parse(l.Split(':')[1].Split('|')[0].Trim())).ToList();
}
