using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BpfSharp.Linux;
using BpfSharp.Linux.Loading;
using BpfSharp.Linux.RingBuffer;

namespace BpfSharp.Benchmarks;

/// <summary>
/// Ring buffer consumption: the producer in native/ringbuf_producer.bpf.c runs a million times through
/// BPF_PROG_TEST_RUN on one thread while <see cref="RingBufferReader"/> polls on another. native/ringbuf_bench.c
/// does the same with libbpf's ring_buffer__poll; <c>--ringbuf-once</c> prints this side's line in the same format.
/// Needs root (or CAP_BPF) and the object built by <c>make -C native</c>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class RingBufferBenchmarks
{
    /// <summary>Records per benchmark operation.</summary>
    public const int Records = 1_000_000;

    private BpfCollection _collection = null!;
    private RingBufferReader _reader = null!;
    private long _received;
    private RingBufferRecordHandler _handler = null!;

    /// <summary>The producer object: BPFSHARP_RINGBUF_OBJECT, else native/build/ringbuf_producer.bpf.o above the working directory.</summary>
    public static string ObjectPath
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("BPFSHARP_RINGBUF_OBJECT");
            if (env is not null) return env;
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "native", "build", "ringbuf_producer.bpf.o");
                if (File.Exists(candidate)) return candidate;
            }
            throw new FileNotFoundException("ringbuf_producer.bpf.o not found: run 'make -C native' or set BPFSHARP_RINGBUF_OBJECT");
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        _collection = BpfCollection.Load(ObjectPath);
        _reader = new RingBufferReader(_collection.Maps["records"]);
        _handler = _ => _received++;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _reader.Dispose();
        _collection.Dispose();
    }

    /// <summary>Produce and consume <see cref="Records"/> records; returns how many arrived.</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public long ProduceAndConsume() => Run(_collection, _reader, _handler, ref _received);

    private static long Run(BpfCollection collection, RingBufferReader reader, RingBufferRecordHandler handler, ref long received)
    {
        received = 0;
        var program = collection.Programs["produce"];
        var producer = Task.Run(() => program.TestRun(new byte[64], repeat: Records));
        while (!producer.IsCompleted) reader.Poll(50, handler);
        producer.GetAwaiter().GetResult();
        while (reader.Consume(handler) > 0) { }
        return received;
    }

    /// <summary>One measured run printed like native/ringbuf_bench: sent, received, lost, seconds, rate.</summary>
    public static void RunOnce()
    {
        using var collection = BpfCollection.Load(ObjectPath);
        using var reader = new RingBufferReader(collection.Maps["records"]);
        long received = 0;
        RingBufferRecordHandler handler = _ => received++;
        var watch = Stopwatch.StartNew();
        Run(collection, reader, handler, ref received);
        watch.Stop();
        var got = received;
        var sent = collection.ReadVariable<ulong>("sent");
        var lost = collection.ReadVariable<ulong>("lost");
        Console.WriteLine(FormattableString.Invariant(
            $"sent {sent} received {got} lost {lost} seconds {watch.Elapsed.TotalSeconds:F3} rate {got / watch.Elapsed.TotalSeconds:F0}"));
    }
}
