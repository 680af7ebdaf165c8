using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BpfSharp.Linux;
using BpfSharp.Linux.Loading;
using BpfSharp.Linux.RingBuffer;

namespace BpfSharp.Benchmarks;

/// <summary>
/// Ring buffer consumption: the producer in native/ringbuf_producer.bpf.c runs a million times through
/// BPF_PROG_TEST_RUN on one thread while <see cref="RingBufferReader"/> polls on another. native/ringbuf_bench.c
/// does the same with libbpf's ring_buffer__poll; <c>--ringbuf-once</c> prints this side's lines in the same format.
/// The <c>Drain</c> benchmarks time the consumer alone: the producer first fills the ring with
/// <see cref="DrainRecords"/> records while nobody consumes, then one <c>Consume</c> takes them all.
/// Needs root (or CAP_BPF) and the object built by <c>make -C native</c>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class RingBufferBenchmarks
{
    /// <summary>Records per benchmark operation.</summary>
    public const int Records = 1_000_000;

    /// <summary>Records per drain: 150000 records of 24 bytes fit in the 4 MiB ring (as in native/ringbuf_bench).</summary>
    public const int DrainRecords = 150_000;

    /// <summary>Counts records: the struct consumer the JIT specialises the consume loop for.</summary>
    private struct Counter : IRingBufferConsumer
    {
        public long Count;

        public void OnRecord(ReadOnlySpan<byte> record) => Count++;
    }

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

    /// <summary>Fill the ring, then consume <see cref="DrainRecords"/> records with a delegate (the fill is in the time too).</summary>
    [Benchmark(OperationsPerInvoke = DrainRecords)]
    public long FillAndDrainDelegate()
    {
        _received = 0;
        Fill(_collection);
        _reader.Consume(_handler);
        return _received;
    }

    /// <summary>Fill the ring, then consume <see cref="DrainRecords"/> records with a struct consumer (the fill is in the time too).</summary>
    [Benchmark(OperationsPerInvoke = DrainRecords)]
    public long FillAndDrainStruct()
    {
        var counter = new Counter();
        Fill(_collection);
        _reader.Consume(ref counter);
        return counter.Count;
    }

    private static void Fill(BpfCollection collection) => collection.Programs["produce"].TestRun(new byte[64], repeat: DrainRecords);

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

    /// <summary>
    /// One measured run printed like native/ringbuf_bench (sent, received, lost, seconds, rate), after an unmeasured
    /// run so the consume loop is fully compiled, then the drain medians for a delegate and a struct consumer.
    /// </summary>
    public static void RunOnce()
    {
        using var collection = BpfCollection.Load(ObjectPath);
        using var reader = new RingBufferReader(collection.Maps["records"]);
        long received = 0;
        RingBufferRecordHandler handler = _ => received++;
        Run(collection, reader, handler, ref received); // warm-up: tiered compilation, page faults on the ring
        long sentBefore = collection.ReadVariable<long>("sent"), lostBefore = collection.ReadVariable<long>("lost");
        var watch = Stopwatch.StartNew();
        Run(collection, reader, handler, ref received);
        watch.Stop();
        var got = received;
        var sent = collection.ReadVariable<long>("sent") - sentBefore;
        var lost = collection.ReadVariable<long>("lost") - lostBefore;
        Console.WriteLine(FormattableString.Invariant(
            $"sent {sent} received {got} lost {lost} seconds {watch.Elapsed.TotalSeconds:F3} rate {got / watch.Elapsed.TotalSeconds:F0}"));

        const int rounds = 11;
        var delegateTimes = new double[rounds];
        var structTimes = new double[rounds];
        for (int round = -3; round < rounds; round++) // three unmeasured rounds first
        {
            Fill(collection);
            received = 0;
            long start = Stopwatch.GetTimestamp();
            reader.Consume(handler);
            var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (received != DrainRecords) throw new InvalidOperationException($"drain got {received} of {DrainRecords} records");
            if (round >= 0) delegateTimes[round] = elapsed;

            Fill(collection);
            var counter = new Counter();
            start = Stopwatch.GetTimestamp();
            reader.Consume(ref counter);
            elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (counter.Count != DrainRecords) throw new InvalidOperationException($"drain got {counter.Count} of {DrainRecords} records");
            if (round >= 0) structTimes[round] = elapsed;
        }
        Array.Sort(delegateTimes);
        Array.Sort(structTimes);
        double d = delegateTimes[rounds / 2], s = structTimes[rounds / 2];
        Console.WriteLine(FormattableString.Invariant($"drain records {DrainRecords} seconds {d:F6} rate {DrainRecords / d:F0}"));
        Console.WriteLine(FormattableString.Invariant($"drain-struct records {DrainRecords} seconds {s:F6} rate {DrainRecords / s:F0}"));
    }
}
