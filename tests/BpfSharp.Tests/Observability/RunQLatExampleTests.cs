using System.Text.RegularExpressions;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Observability;

/// <summary>
/// The runqlat example (examples/runqlat), built with the tests, runs for two seconds as a user would run it:
/// OpenTelemetry's console exporter prints the histogram BpfMetrics publishes from the BPF map, with buckets
/// that only grow, and the tool reports its log reader's counts.
/// </summary>
public sealed partial class RunQLatExampleTests
{
    [GeneratedRegex(@"Metric Name: runqlat\.waits.*?Value: (\d+)", RegexOptions.Singleline)]
    private static partial Regex WaitsValue();

    [Fact]
    public void TheExampleExportsTheHistogramThroughOpenTelemetry()
    {
        KernelObjects.RequireBpf();
        var tool = Path.Combine(AppContext.BaseDirectory, "runqlat.dll");
        var result = ExternalTool.Run("dotnet", [tool, "--duration", "2", "--long-wait-us", "1000"]);
        Assert.True(result.ExitCode == 0, $"runqlat exited with {result.ExitCode}:\n{result.StdoutText}\n{result.Stderr}");
        Assert.Contains("Metric Name: runqlat.latency", result.StdoutText, StringComparison.Ordinal);
        Assert.Contains("le: +Inf", result.StdoutText, StringComparison.Ordinal);
        // The machine keeps scheduling (these tests, the build, other users): some waits were measured.
        var waits = WaitsValue().Matches(result.StdoutText).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(waits);
        Assert.True(waits[^1] > 0, result.StdoutText);
        Assert.Matches(@"log records: \d+ delivered, \d+ lost", result.StdoutText);
    }
}
