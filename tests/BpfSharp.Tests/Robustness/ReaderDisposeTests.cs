using System.Diagnostics;
using BpfSharp.Linux;
using BpfSharp.Linux.RingBuffer;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Runtime;
using Producers = BpfSharp.Tests.Runtime.TestPrograms;

#pragma warning disable xUnit1031 // blocking waits are the point: a consumer thread and a disposing thread

namespace BpfSharp.Tests.Robustness;

/// <summary>
/// Issue 13, D14 and D9: a reader disposed from another thread (a Ctrl-C handler) while a consumer is inside
/// Poll/Consume must not unmap the ring under it, and a blocked Poll must return promptly.
/// </summary>
[Collection(RuntimeCollection.Name)]
public class ReaderDisposeTests
{
    private static readonly byte[] Frame = new byte[64];

    [Fact]
    public void RingBufferDisposedWhileAHandlerHoldsARecordKeepsTheRecordMapped()
    {
        KernelObjects.RequireBpf();
        using var counters = Producers.Counters(2);
        using var ring = BpfMap.Create(BpfMapType.RingBuf, 0, 0, 64 * 1024, name: "bpfsharp_t_rbd");
        using var program = AttachTestKit.Load(BpfProgramType.Xdp, Producers.Producer(counters, ring, perf: false), "bpfsharp_t_rbdp");
        var reader = new RingBufferReader(ring);
        program.TestRun(Frame, repeat: 100);

        using var inside = new ManualResetEventSlim();
        using var disposed = new ManualResetEventSlim();
        long checksum = 0;
        var consumer = Task.Run(() => reader.Poll(1000, record =>
        {
            inside.Set();
            disposed.Wait();
            // Before the fix the pages were gone here: AccessViolationException, process dead.
            foreach (var b in record) checksum += b;
        }));
        Assert.True(inside.Wait(10_000));
        reader.Dispose();
        disposed.Set();
        var handled = consumer.Wait(10_000) ? consumer.Result : -1;
        Assert.InRange(handled, 1, 100); // the drain stops at the next batch after a dispose
        Assert.NotEqual(0, checksum);
        Assert.Throws<ObjectDisposedException>(() => reader.Consume(_ => { }));
        Assert.Throws<ObjectDisposedException>(() => reader.Poll(0, _ => { }));
        reader.Dispose(); // idempotent
    }

    [Fact]
    public void RingBufferDisposeWakesAPollWithoutTimeout()
    {
        KernelObjects.RequireBpf();
        using var ring = BpfMap.Create(BpfMapType.RingBuf, 0, 0, 4096, name: "bpfsharp_t_rbw");
        var reader = new RingBufferReader(ring);
        var started = new ManualResetEventSlim();
        var poll = Task.Run(() => { started.Set(); return reader.Poll(-1, _ => { }); });
        started.Wait();
        Thread.Sleep(100); // let it block in epoll_wait
        var clock = Stopwatch.StartNew();
        reader.Dispose();
        Assert.True(poll.Wait(5_000), "Poll(-1) did not return after Dispose");
        Assert.Equal(0, poll.Result);
        Assert.InRange(clock.ElapsedMilliseconds, 0, 5_000);
    }

    [Fact]
    public void RingBufferHandlerMayDisposeItsOwnReader()
    {
        KernelObjects.RequireBpf();
        using var counters = Producers.Counters(2);
        using var ring = BpfMap.Create(BpfMapType.RingBuf, 0, 0, 64 * 1024, name: "bpfsharp_t_rbs");
        using var program = AttachTestKit.Load(BpfProgramType.Xdp, Producers.Producer(counters, ring, perf: false), "bpfsharp_t_rbsp");
        var reader = new RingBufferReader(ring);
        program.TestRun(Frame, repeat: 10);
        var seen = 0;
        reader.Consume(record => { reader.Dispose(); seen += record.Length; });
        Assert.True(seen > 0);
        Assert.Throws<ObjectDisposedException>(() => reader.Consume(_ => { }));
    }

    [Fact]
    public void ManyThreadsDisposingWhileConsumingNeverCrash()
    {
        KernelObjects.RequireBpf();
        using var counters = Producers.Counters(2);
        using var ring = BpfMap.Create(BpfMapType.RingBuf, 0, 0, 256 * 1024, name: "bpfsharp_t_rbm");
        using var program = AttachTestKit.Load(BpfProgramType.Xdp, Producers.Producer(counters, ring, perf: false), "bpfsharp_t_rbmp");
        for (var round = 0; round < 50; round++)
        {
            var reader = new RingBufferReader(ring);
            program.TestRun(Frame, repeat: 200);
            var consumers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
            {
                try { while (true) reader.Poll(10, r => { _ = r[^1]; }); }
                catch (ObjectDisposedException) { }
            })).ToArray();
            Thread.Sleep(round % 3);
            Parallel.For(0, 3, _ => reader.Dispose());
            Assert.True(Task.WaitAll(consumers, 10_000));
        }
    }

    [Fact]
    public void PerfBufferDisposeWakesAPollWithoutTimeout()
    {
        KernelObjects.RequireBpf();
        using var perfArray = BpfMap.Create(BpfMapType.PerfEventArray, 4, 4, Environment.ProcessorCount, name: "bpfsharp_t_pbw");
        var reader = new PerfBufferReader(perfArray, pagesPerCpu: 1);
        var started = new ManualResetEventSlim();
        var poll = Task.Run(() => { started.Set(); return reader.Poll(-1, (_, _) => { }); });
        started.Wait();
        Thread.Sleep(100);
        reader.Dispose();
        Assert.True(poll.Wait(5_000), "Poll(-1) did not return after Dispose");
        Assert.Equal(0, poll.Result);
        Assert.Throws<ObjectDisposedException>(() => reader.Consume((_, _) => { }));
    }

    [Fact]
    public void PerfBufferDisposedWhileAHandlerHoldsASampleKeepsItMapped()
    {
        KernelObjects.RequireBpf();
        using var counters = Producers.Counters(2);
        using var perfArray = BpfMap.Create(BpfMapType.PerfEventArray, 4, 4, Environment.ProcessorCount, name: "bpfsharp_t_pbd");
        using var program = AttachTestKit.Load(BpfProgramType.Xdp, Producers.Producer(counters, perfArray, perf: true), "bpfsharp_t_pbdp");
        var reader = new PerfBufferReader(perfArray, pagesPerCpu: 4);
        program.TestRun(Frame, repeat: 10);
        using var inside = new ManualResetEventSlim();
        using var disposed = new ManualResetEventSlim();
        long checksum = 0;
        var consumer = Task.Run(() => reader.Consume((_, record) =>
        {
            inside.Set();
            disposed.Wait();
            foreach (var b in record) checksum += b;
        }));
        Assert.True(inside.Wait(10_000));
        reader.Dispose();
        disposed.Set();
        Assert.True(consumer.Wait(10_000));
        Assert.NotEqual(0, checksum);
    }

    [Theory]
    [InlineData(1 << 20, 4096)]
    [InlineData(1 << 30, 65536)]
    public void PerfBufferSizesDoNotWrap(int pages, int pageSize)
    {
        // D9: the size was computed in int, so 2^20 pages of 4 KiB gave a 0-byte data area.
        var (data, length) = PerfBufferReader.Ring.MappingSize(pages, pageSize);
        Assert.Equal((ulong)pages * (ulong)pageSize, data);
        Assert.Equal((nuint)(data + (ulong)pageSize), length);
    }
}
