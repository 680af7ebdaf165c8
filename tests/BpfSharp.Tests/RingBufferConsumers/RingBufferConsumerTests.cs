using System.Buffers.Binary;
using BpfSharp.Linux;
using BpfSharp.Linux.RingBuffer;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Runtime;
using Producers = BpfSharp.Tests.Runtime.TestPrograms;

namespace BpfSharp.Tests.RingBufferConsumers;

/// <summary>
/// <see cref="RingBufferReader"/> with <see cref="IRingBufferConsumer"/> consumers (struct and ref struct): every
/// record of a kernel producer arrives exactly once, and a consumer that throws loses nothing but the record it
/// threw on.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class RingBufferConsumerTests
{
    private static readonly byte[] Frame = new byte[64];

    /// <summary>Marks each 16-byte {sequence, magic} record as seen; counts malformed and duplicate ones.</summary>
    private ref struct SequenceChecker(Span<bool> seen) : IRingBufferConsumer
    {
        private readonly Span<bool> _seen = seen;
        public long Accepted;
        public long Bad;
        public int ThrowAt = -1;

        public void OnRecord(ReadOnlySpan<byte> record)
        {
            if (record.Length != 16 || BinaryPrimitives.ReadUInt64LittleEndian(record[8..]) != Producers.RecordMagic) { Bad++; return; }
            var sequence = BinaryPrimitives.ReadUInt64LittleEndian(record);
            if (sequence >= (ulong)_seen.Length || _seen[(int)sequence]) { Bad++; return; }
            _seen[(int)sequence] = true;
            Accepted++;
            if ((long)sequence == ThrowAt) throw new InvalidOperationException($"consumer failed on record {sequence}");
        }
    }

    private struct Counter : IRingBufferConsumer
    {
        public long Count;
        public void OnRecord(ReadOnlySpan<byte> record) => Count++;
    }

    /// <summary>A ring buffer, an XDP program writing numbered records into it, its counters and a reader.</summary>
    private sealed class Rig : IDisposable
    {
        public readonly BpfMap Counters = Producers.Counters(2);
        public readonly BpfMap Ring;
        public readonly BpfProgram Program;
        public readonly RingBufferReader Reader;

        public Rig(int ringBytes, string name)
        {
            try
            {
                Ring = BpfMap.Create(BpfMapType.RingBuf, 0, 0, ringBytes, name: name);
                Program = AttachTestKit.Load(BpfProgramType.Xdp, Producers.Producer(Counters, Ring, perf: false), name + "p");
                Reader = new RingBufferReader(Ring);
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            Reader?.Dispose();
            Program?.Dispose();
            Ring?.Dispose();
            Counters.Dispose();
        }
    }

    [Fact]
    public void RefStructConsumerAccountsForEveryRecordWhileTheProducerRuns()
    {
        KernelObjects.RequireBpf();
        const int records = 300_000;
        using var rig = new Rig(256 * 1024, "bpfsharp_t_rbs");
        var (counters, program, reader) = (rig.Counters, rig.Program, rig.Reader);

        var seen = new bool[records];
        var checker = new SequenceChecker(seen);
        Exception? producerError = null;
        var producer = new Thread(() =>
        {
            try { program.TestRun(Frame, repeat: records); }
            catch (Exception e) { producerError = e; }
        });
        producer.Start();
        while (producer.IsAlive) reader.Poll(50, ref checker);
        producer.Join();
        Assert.Null(producerError);
        while (reader.Consume(ref checker) > 0) { }

        var sent = Producers.Read(counters, 0);
        var lost = Producers.Read(counters, 1);
        Assert.Equal((ulong)records, sent);
        Assert.Equal(0, checker.Bad);
        Assert.Equal(checker.Accepted, reader.ReceivedCount);
        Assert.Equal((long)sent, checker.Accepted + (long)lost);
        Assert.Equal(seen.Count(s => s), checker.Accepted);
        Assert.Equal(0, reader.PendingBytes);
    }

    [Fact]
    public void ThrowingConsumerLosesOnlyTheRecordItThrewOn()
    {
        KernelObjects.RequireBpf();
        using var rig = new Rig(64 * 1024, "bpfsharp_t_rbx");
        var (counters, program, reader) = (rig.Counters, rig.Program, rig.Reader);
        program.TestRun(Frame, repeat: 10);
        Assert.Equal(10 * 24, reader.PendingBytes); // 16-byte records, 8-byte headers

        var seen = new bool[10];
        var checker = new SequenceChecker(seen) { ThrowAt = 3 };
        Exception? error = null;
        try
        {
            reader.Consume(ref checker);
        }
        catch (InvalidOperationException e)
        {
            error = e;
        }
        Assert.NotNull(error);
        Assert.Equal(4, reader.ReceivedCount);
        Assert.Equal(6 * 24, reader.PendingBytes); // record 3 was released although the consumer threw

        checker.ThrowAt = -1;
        Assert.Equal(6, reader.Consume(ref checker));
        Assert.Equal(10, reader.ReceivedCount);
        Assert.All(seen, Assert.True);
        Assert.Equal(0, checker.Bad);
        Assert.Equal(0, reader.PendingBytes);
    }

    [Fact]
    public void StructAndDelegateConsumersSeeTheSameRecords()
    {
        KernelObjects.RequireBpf();
        using var rig = new Rig(64 * 1024, "bpfsharp_t_rbd");
        var (counters, program, reader) = (rig.Counters, rig.Program, rig.Reader);

        program.TestRun(Frame, repeat: 1000);
        var counter = new Counter();
        Assert.Equal(1000, reader.Consume(ref counter));
        Assert.Equal(1000, counter.Count);
        Assert.Equal(0, reader.Consume(ref counter));
        Assert.Equal(0, reader.Poll(0, ref counter)); // nothing pending: times out at once

        program.TestRun(Frame, repeat: 1000);
        var sequences = new List<ulong>();
        Assert.Equal(1000, reader.Poll(1000, record => sequences.Add(BinaryPrimitives.ReadUInt64LittleEndian(record))));
        Assert.Equal(Enumerable.Range(1000, 1000).Select(i => (ulong)i), sequences);
        Assert.Equal(2000, reader.ReceivedCount);
        Assert.Equal(0, reader.DiscardedCount);
    }
}
