// runqlat: run-queue latency from a C# BPF program, exported with OpenTelemetry. The histogram and counter live in
// BPF maps (Probes.cs); BpfMetrics publishes them as System.Diagnostics.Metrics instruments on the "RunQLat" meter,
// which OpenTelemetry's console exporter prints every second; the BPF side's BpfLog warnings arrive through
// BpfLogReader in an ILogger that exports through OpenTelemetry too. Runs until Ctrl-C or --duration.
using BpfSharp.Observability;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;

namespace RunQLat;

internal static class Program
{
    private static int Main(string[] args)
    {
        double? duration = null;
        ulong? longWait = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--duration" or "-d" when i + 1 < args.Length && double.TryParse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture, out var d):
                    duration = d;
                    i++;
                    break;
                case "--long-wait-us" when i + 1 < args.Length && ulong.TryParse(args[i + 1], out var w):
                    longWait = w;
                    i++;
                    break;
                case "--help" or "-h":
                    Console.WriteLine("usage: runqlat [--duration SECONDS] [--long-wait-us MICROSECONDS]");
                    return 0;
                default:
                    Console.Error.WriteLine($"runqlat: unknown or incomplete argument '{args[i]}' (see --help)");
                    return 2;
            }
        }

        using var probes = ProbesSkeleton.Open();
        if (longWait is { } threshold)
        {
            probes.Globals.LongWaitMicroseconds = threshold;
        }

        probes.Load();
        using var links = probes.AttachAll();

        using var metrics = new BpfMetrics("RunQLat");
        metrics.AddLog2Histogram(probes.Object.Map("Latency"), "runqlat.latency", "us", "Run-queue waits, cumulative per log2 bucket (le = upper bound)");
        metrics.AddCounter(probes.Object.Map("Measured"), 0, "runqlat.waits", "{wait}", "Waits measured");
        using var meters = Sdk.CreateMeterProviderBuilder()
            .AddMeter(metrics.Meter.Name)
            .AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 1000)
            .Build();
        using var loggers = LoggerFactory.Create(b => b.AddOpenTelemetry(o =>
        {
            o.IncludeFormattedMessage = true;
            o.AddConsoleExporter();
        }));
        using var log = new BpfLogReader(probes.Object.Collection, loggers.CreateLogger("RunQLat"));

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        if (duration is { } seconds)
        {
            stop.CancelAfter(TimeSpan.FromSeconds(seconds));
        }

        Console.WriteLine("Tracing run-queue latency... Hit Ctrl-C to end.");
        log.Run(stop.Token);
        meters.ForceFlush();
        Console.WriteLine($"log records: {log.DeliveredCount} delivered, {log.LostCount} lost");
        return 0;
    }
}
