using System.Globalization;
using BenchmarkDotNet.Running;

namespace BpfSharp.Benchmarks;

/// <summary>
/// BenchmarkDotNet entry point. Extra options (removed before BenchmarkDotNet sees the arguments):
/// <c>--results-tsv FILE</c> writes "method, median ns, allocated bytes" per benchmark for scripts/bench.sh;
/// <c>--memory</c> prints the managed size of a parsed BTF instead of running benchmarks;
/// <c>--ringbuf-once</c> runs one ring buffer measurement and prints it like native/ringbuf_bench;
/// <c>--load-loop [-n N] LABEL=OBJ...</c> runs the open + load loop of native/load_bench (cold and warm).
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var rest = new List<string>(args);
        if (rest.Remove("--memory"))
        {
            foreach (var (key, value) in MemoryReport.Measure(BtfBenchmarks.BtfPath))
                Console.WriteLine($"{key} {value}");
            return 0;
        }

        if (rest.Count > 0 && rest[0] == "--load-loop")
            return LoadBenchmarks.RunLoop(rest.GetRange(1, rest.Count - 1));

        if (rest.Remove("--ringbuf-once"))
        {
            RingBufferBenchmarks.RunOnce();
            return 0;
        }

        string? tsv = null;
        var at = rest.IndexOf("--results-tsv");
        if (at >= 0)
        {
            if (at + 1 >= rest.Count) { Console.Error.WriteLine("--results-tsv needs a file name"); return 2; }
            tsv = rest[at + 1];
            rest.RemoveRange(at, 2);
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.ToArray());
        if (tsv is not null)
        {
            using var writer = new StreamWriter(tsv);
            foreach (var summary in summaries)
            foreach (var report in summary.Reports)
            {
                var stats = report.ResultStatistics;
                if (stats is null) continue;
                var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? -1;
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{report.BenchmarkCase.Descriptor.WorkloadMethod.Name}\t{stats.Median:F0}\t{allocated}"));
            }
        }
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
