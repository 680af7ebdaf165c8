using BpfSharp.Linux.Tools;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Tools;

/// <summary>
/// <see cref="Histogram"/> against a C program printing the same counts with libbpf-tools' printf formats
/// (testdata/tools/hist_oracle.c): byte-identical output over narrow and wide log2 histograms, empty ones, gaps,
/// counts large enough to wrap the 32-bit star arithmetic, and linear histograms.
/// </summary>
public sealed class HistogramTests
{
    public static TheoryData<string, uint[]> Log2Cases() => new()
    {
        { "usecs", [0, 0, 1, 3, 12, 40, 7, 0, 2] },
        { "usecs", [5] },
        { "nsecs", [0, 0, 0] },
        { "msecs", [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9] },
        { "a-unit-name-longer-than-the-column", [3, 1, 4, 1, 5, 9, 2, 6] },
        { "kbytes", [200_000_000, 150_000_000, 3, 1] },
        { "usecs", [uint.MaxValue, 2_147_483_648, 1] },
        { "slots", Enumerable.Range(0, 63).Select(i => (uint)(i * 7 % 11)).ToArray() },
    };

    [Theory]
    [MemberData(nameof(Log2Cases))]
    public void Log2MatchesTheCPrinter(string unit, uint[] counts)
    {
        var oracle = ToolTestKit.BuildC("hist_oracle.c", "hist_oracle", "-I", ToolTestKit.SharedHeaders);
        var expected = ExternalTool.RunText(oracle, ["log2", unit, .. counts.Select(c => c.ToString())]);
        Assert.Equal(expected, Histogram.FormatLog2(counts, unit));
    }

    public static TheoryData<string, uint, uint, uint[]> LinearCases() => new()
    {
        { "slot", 0, 1, [0, 4, 0, 9, 1] },
        { "msecs", 100, 25, [2, 2, 2, 0, 0, 80] },
        { "usecs", 0, 5, [0, 0, 0, 0] },
        { "bytes", 4_000_000_000, 300_000_000, [1, 2, 3] },
        { "x", 7, 3, [300_000_000, 120_000_000] },
    };

    [Theory]
    [MemberData(nameof(LinearCases))]
    public void LinearMatchesTheCPrinter(string unit, uint @base, uint step, uint[] counts)
    {
        var oracle = ToolTestKit.BuildC("hist_oracle.c", "hist_oracle", "-I", ToolTestKit.SharedHeaders);
        var expected = ExternalTool.RunText(oracle, ["linear", unit, @base.ToString(), step.ToString(), .. counts.Select(c => c.ToString())]);
        Assert.Equal(expected, Histogram.FormatLinear(counts, @base, step, unit));
    }

    [Fact]
    public void Log2SlotIsFloorLog2()
    {
        Assert.Equal(0, Histogram.Log2Slot(0));
        Assert.Equal(0, Histogram.Log2Slot(1));
        Assert.Equal(1, Histogram.Log2Slot(2));
        Assert.Equal(1, Histogram.Log2Slot(3));
        Assert.Equal(10, Histogram.Log2Slot(1024));
        Assert.Equal(10, Histogram.Log2Slot(2047));
        Assert.Equal(63, Histogram.Log2Slot(ulong.MaxValue));
    }
}
