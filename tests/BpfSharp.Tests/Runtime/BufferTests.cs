using System.Buffers.Binary;
using BpfSharp.Linux;
using BpfSharp.Linux.RingBuffer;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Runtime;

/// <summary>
/// Ring buffer and perf buffer readers under load: a program run a million times through BPF_PROG_TEST_RUN writes
/// one numbered record per run, counts what it sent and what the kernel refused, and every record is accounted for.
/// </summary>
[Collection(RuntimeCollection.Name)]
public class BufferTests(ITestOutputHelper output)
{
    private static readonly byte[] Frame = new byte[64];

    /// <summary>Checks one 16-byte {sequence, magic} record; returns false for a duplicate.</summary>
    private static bool Accept(ReadOnlySpan<byte> record, bool[] seen, ref long bad)
    {
        if (record.Length < 16 || BinaryPrimitives.ReadUInt64LittleEndian(record[8..]) != TestPrograms.RecordMagic) { bad++; return false; }
        var sequence = BinaryPrimitives.ReadUInt64LittleEndian(record);
        if (sequence >= (ulong)seen.Length || seen[sequence]) { bad++; return false; }
        seen[sequence] = true;
        return true;
    }

    [Fact]
    public async Task RingBufferAccountsForAMillionRecords()
    {
        KernelObjects.RequireBpf();
        const int records = 1_000_000;
        using var counters = TestPrograms.Counters(2);
        using var ring = BpfMap.Create(BpfMapType.RingBuf, 0, 0, 256 * 1024, name: "bpfsharp_t_rb");
        using var program = AttachTestKit.Load(BpfProgramType.Xdp, TestPrograms.Producer(counters, ring, perf: false), "bpfsharp_t_rbp");
        using var reader = new RingBufferReader(ring);

        var seen = new bool[records];
        long bad = 0, accepted = 0;
        RingBufferRecordHandler handler = record => { if (Accept(record, seen, ref bad)) accepted++; };
        var producer = Task.Run(() => program.TestRun(Frame, repeat: records));
        while (!producer.IsCompleted) reader.Poll(50, handler);
        await producer;
        while (reader.Consume(handler) > 0) { }

        var sent = TestPrograms.Read(counters, 0);
        var lost = TestPrograms.Read(counters, 1);
        Assert.Equal((ulong)records, sent);
        Assert.Equal(0, bad);
        Assert.Equal(accepted, reader.ReceivedCount);
        Assert.Equal((long)sent, accepted + (long)lost);
        Assert.Equal(0, reader.PendingBytes);
        output.WriteLine($"ring buffer: sent {sent}, received {accepted}, lost (reserve failed) {lost}");
    }

    [Fact]
    public async Task RingBufferAsyncStreamYieldsRecords()
    {
        KernelObjects.RequireBpf();
        using var counters = TestPrograms.Counters(2);
        using var ring = BpfMap.Create(BpfMapType.RingBuf, 0, 0, 64 * 1024, name: "bpfsharp_t_rba");
        using var program = AttachTestKit.Load(BpfProgramType.Xdp, TestPrograms.Producer(counters, ring, perf: false), "bpfsharp_t_rbap");
        using var reader = new RingBufferReader(ring);
        program.TestRun(Frame, repeat: 100);
        var seen = new bool[100];
        long bad = 0;
        var count = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await foreach (var record in reader.ReadAllAsync(timeout.Token))
        {
            Assert.True(Accept(record.Span, seen, ref bad));
            if (++count == 100) break;
        }
        Assert.Equal(100, count);
        Assert.All(seen, Assert.True);
    }

    [Fact]
    public void RingBufferRejectsOtherMapTypes()
    {
        KernelObjects.RequireBpf();
        using var array = TestPrograms.Counters();
        Assert.Throws<ArgumentException>(() => new RingBufferReader(array));
    }

    [Fact]
    public async Task PerfBufferAccountsForEveryRecord()
    {
        KernelObjects.RequireBpf();
        const int records = 200_000;
        using var counters = TestPrograms.Counters(2);
        using var perfArray = BpfMap.Create(BpfMapType.PerfEventArray, 4, 4, Environment.ProcessorCount, name: "bpfsharp_t_pb");
        using var program = AttachTestKit.Load(BpfProgramType.Xdp, TestPrograms.Producer(counters, perfArray, perf: true), "bpfsharp_t_pbp");
        using var reader = new PerfBufferReader(perfArray, pagesPerCpu: 16);

        var seen = new bool[records];
        long bad = 0, accepted = 0;
        PerfRecordHandler handler = (cpu, record) => { if (Accept(record, seen, ref bad)) accepted++; };
        var producer = Task.Run(() => program.TestRun(Frame, repeat: records));
        while (!producer.IsCompleted) reader.Poll(50, handler);
        await producer;
        while (reader.Consume(handler) > 0) { }

        var sent = TestPrograms.Read(counters, 0);
        var failed = TestPrograms.Read(counters, 1);
        Assert.Equal((ulong)records, sent);
        Assert.Equal(0, bad);
        // A full ring makes bpf_perf_event_output fail (the program counts it) and the kernel counts the same drop
        // in the ring; it reports that count in a PERF_RECORD_LOST written before the next sample that fits, so the
        // reader's LostCount can lag behind at the very end but never exceed the program's count.
        Assert.Equal((long)sent, accepted + (long)failed);
        Assert.InRange(reader.LostCount, 0, (long)failed);
        output.WriteLine($"perf buffer: sent {sent}, received {accepted}, lost {reader.LostCount}, output failed {failed}");
    }
}
