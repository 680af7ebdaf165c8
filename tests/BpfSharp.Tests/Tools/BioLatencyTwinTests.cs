using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Runtime;

namespace BpfSharp.Tests.Tools;

/// <summary>
/// examples/tools/biolatency (C# both halves) against its C twin (clang + libbpf): both trace one loop device this
/// test creates (on a file in its scratch directory, deleted afterwards) with <c>-D -F -d loopN</c>, while dd writes
/// 32 and reads 8 blocks on it with O_DIRECT (one request each, nothing cached). Both must print the same
/// histograms (same disk and flag headers, e.g. <c>disk = loop3\tflags = Sync-Write</c>, the disk named from
/// /proc/partitions and the flags decoded with the kernel's enum req_flag_bits) with equal totals; the two programs
/// read the clock a few hundred nanoseconds apart, so a count may sit one slot over, and no further except for one
/// request in ten (a virtual CPU can stall between the two programs on a busy host).
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class BioLatencyTwinTests(ITestOutputHelper output)
{
    private const int Writes = 32;
    private const int Reads = 8;

    [Fact]
    public void SameHistogramsAsTheCTwin()
    {
        KernelObjects.RequireBpf();
        ToolTwins.BuildCTwin("biolatency");
        var scratch = TestPaths.NewScratchDirectory($"biolatency-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var image = Path.Combine(scratch, "disk.img");
        File.WriteAllBytes(image, []);
        using (var f = File.OpenWrite(image)) f.SetLength(4 << 20);
        var device = ExternalTool.RunText("losetup", "-f", "--show", image).Trim();
        try
        {
            var name = Path.GetFileName(device);
            string[] args = ["-D", "-F", "-d", name];
            using var ours = ToolTwins.StartTool("biolatency", args);
            using var theirs = ToolTwins.StartTwin("biolatency", args);
            ours.WaitUntilReady(TimeSpan.FromSeconds(60));
            theirs.WaitUntilReady(TimeSpan.FromSeconds(60));

            ExternalTool.RunChecked("dd", "if=/dev/zero", $"of={device}", "bs=4096", $"count={Writes}", "oflag=direct");
            ExternalTool.RunChecked("dd", $"if={device}", "of=/dev/null", "bs=4096", $"count={Reads}", "iflag=direct");
            ours.Interrupt();
            theirs.Interrupt();
            var ourLines = ours.WaitForExit(TimeSpan.FromSeconds(30));
            var theirLines = theirs.WaitForExit(TimeSpan.FromSeconds(30));
            output.WriteLine(string.Join('\n', ourLines));
            output.WriteLine(string.Join('\n', theirLines));

            Assert.Equal(theirLines[0], ourLines[0]);
            var ourSections = Sections(ourLines);
            var theirSections = Sections(theirLines);
            Assert.Equal(theirSections.Keys.Order(), ourSections.Keys.Order());
            Assert.All(ourSections.Keys, k => Assert.StartsWith($"disk = {name}\tflags = ", k));
            Assert.True(ourSections.Where(s => s.Key.EndsWith("Write")).Sum(s => s.Value.Sum()) >= Writes, "fewer writes counted than dd made");
            Assert.True(ourSections.Where(s => s.Key.EndsWith("Read")).Sum(s => s.Value.Sum()) >= Reads, "fewer reads counted than dd made");
            foreach (var (header, ourSlots) in ourSections)
            {
                var theirSlots = theirSections[header];
                Assert.True(theirSlots.Sum() == ourSlots.Sum(), $"{header}: {ourSlots.Sum()} requests against the twin's {theirSlots.Sum()}");
                // One request in ten may land further away (a stalled virtual CPU between the two programs).
                HistogramShape.AssertWithinOneSlot(ourSlots, theirSlots, header, outliers: Math.Max(1, ourSlots.Sum() / 10));
            }
        }
        finally
        {
            ExternalTool.Run("losetup", ["-d", device]);
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Each histogram by the line before it ("disk = loop3\tflags = Sync-Write").</summary>
    private static Dictionary<string, List<long>> Sections(IReadOnlyList<string> lines)
    {
        var result = new Dictionary<string, List<long>>();
        List<long>? current = null;
        foreach (var line in lines)
        {
            if (line.StartsWith("disk = ", StringComparison.Ordinal)) result[line] = current = [];
            else if (current is not null && line.Contains(" -> ") && line.Contains('|'))
                current.Add(long.Parse(line.Split(':')[1].Split('|')[0].Trim()));
        }
        return result;
    }
}

/// <summary>Compares two log2 histograms of the same events measured by two programs.</summary>
internal static class HistogramShape
{
    /// <summary>
    /// No count, but at most <paramref name="outliers"/>, is more than one slot away from where the other histogram
    /// put it: each side's cumulative count up to slot i is covered by the other's up to slot i + 1. The outliers
    /// allow for a virtual CPU stalled between the two programs' clock reads on a busy host.
    /// </summary>
    public static void AssertWithinOneSlot(IReadOnlyList<long> ours, IReadOnlyList<long> theirs, string what, long outliers = 0)
    {
        const int length = 64;
        var ourCumulative = Cumulative(ours, length);
        var theirCumulative = Cumulative(theirs, length);
        for (var i = 0; i + 1 < length; i++)
        {
            Assert.True(ourCumulative[i] <= theirCumulative[i + 1] + outliers && theirCumulative[i] <= ourCumulative[i + 1] + outliers,
                $"{what}: counts moved by more than one slot around slot {i}: {ourCumulative[i]}/{ourCumulative[i + 1]} vs {theirCumulative[i]}/{theirCumulative[i + 1]}");
        }
    }

    private static long[] Cumulative(IReadOnlyList<long> slots, int length)
    {
        var result = new long[length];
        long running = 0;
        for (var i = 0; i < length; i++) result[i] = running += i < slots.Count ? slots[i] : 0;
        return result;
    }
}
