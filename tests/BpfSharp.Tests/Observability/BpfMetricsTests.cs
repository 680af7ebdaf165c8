using System.Diagnostics.Metrics;
using System.Numerics;
using System.Runtime.InteropServices;
using BpfSharp.Compiler;
using BpfSharp.Linux.Links;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Observability;
using BpfSharp.Tests.Compiler;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Observability;

/// <summary>
/// A C# BPF program counts this thread's getppid() calls in a per-CPU array and a log2 histogram of a value the
/// test sets; a MeterListener sees, through BpfMetrics, exactly what a direct map read and the test's own count say.
/// </summary>
public sealed partial class BpfMetricsTests
{
    [LibraryImport("libc", EntryPoint = "getppid")]
    private static partial int GetParentPid();

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();

    [Fact]
    public void AMeterListenerSeesWhatTheKernelCounted()
    {
        KernelObjects.RequireBpf();
        var compilation = BpfCompiler.Compile(CompiledTestPrograms.AssemblyPath, new BpfCompilerOptions
        {
            ProgramFilter = name => name == "BpfSharp.TestPrograms.Metrics.CountAndMeasure",
        });
        using var collection = BpfCollection.Load(ObjectSpec.Read(compilation.GetObjectOrThrow()));
        collection.WriteVariable("MetricsThread", (uint)GetThreadId());
        ulong[] samples = [0, 1, 3, 5, 6, 100, 1000, 1000, 70000, 1UL << 30];
        var expected = new ulong[32];
        using (RawTracepointLink.Attach(collection.Programs["CountAndMeasure"], "sys_enter"))
        {
            foreach (var sample in samples)
            {
                collection.WriteVariable("MetricsSample", sample);
                GetParentPid();
                expected[sample == 0 ? 0 : BitOperations.Log2(sample)]++;
            }
        }

        using var metrics = new BpfMetrics("BpfSharp.Tests.Metrics." + Environment.ProcessId);
        metrics.AddCounter(collection.Maps["SampleCalls"], 0, "calls", "{call}");
        metrics.AddGauge(collection.Maps["SampleCalls"], 0, "calls.now", "{call}");
        metrics.AddLog2Histogram(collection.Maps["SampleSizes"], "sample.size");

        var seen = new List<(string Instrument, long Value, string? Le)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == metrics.Meter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? le = null;
            foreach (var t in tags)
            {
                if (t.Key == "le") le = (string?)t.Value;
            }

            seen.Add((instrument.Name, value, le));
        });
        listener.Start();
        listener.RecordObservableInstruments();

        var direct = BpfMetrics.ReadSum(collection.Maps["SampleCalls"], 0);
        Assert.Equal((ulong)samples.Length, direct);
        Assert.Equal((long)direct, Assert.Single(seen, s => s.Instrument == "calls").Value);
        Assert.Equal((long)direct, Assert.Single(seen, s => s.Instrument == "calls.now").Value);

        Assert.Equal(expected, BpfMetrics.ReadLog2Histogram(collection.Maps["SampleSizes"]));
        var buckets = seen.Where(s => s.Instrument == "sample.size").ToList();
        Assert.Equal("+Inf", buckets[^1].Le);
        Assert.Equal(samples.Length, buckets[^1].Value);
        long cumulative = 0;
        for (var i = 0; i < buckets.Count - 1; i++)
        {
            cumulative += (long)expected[i];
            Assert.Equal(((1UL << (i + 1)) - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), buckets[i].Le);
            Assert.Equal(cumulative, buckets[i].Value);
        }

        Assert.Equal(32, buckets.Count); // slots 0..30 (the highest sample is 2^30), then +Inf
    }
}
