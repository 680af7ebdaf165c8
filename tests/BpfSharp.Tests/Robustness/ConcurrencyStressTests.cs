using BpfSharp.Linux;
using BpfSharp.Linux.Loading;
using BpfSharp.Linux.RingBuffer;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Loading;
using BpfSharp.Tests.Runtime;
using Producers = BpfSharp.Tests.Runtime.TestPrograms;

namespace BpfSharp.Tests.Robustness;

/// <summary>
/// Issue 13, part 5: RunningKernel, object loads, maps and ring buffer readers used from many threads at once,
/// including dispose during use, stay correct and leave no kernel object behind.
/// </summary>
[Collection(RuntimeCollection.Name)]
public class ConcurrencyStressTests
{
    private static readonly byte[] Frame = new byte[64];

    [Fact]
    public async Task RunningKernelLoadsAndReadersFromManyThreads()
    {
        KernelObjects.RequireBpf();
        // The ids this test's loads got; other test collections may create objects meanwhile, so only these count.
        var progIds = new System.Collections.Concurrent.ConcurrentBag<int>();
        var mapIds = new System.Collections.Concurrent.ConcurrentBag<int>();
        var source = Path.Combine(TestPaths.NewScratchDirectory("stress"), "stress.c");
        File.WriteAllText(source, """
            #include <linux/bpf.h>
            #include <bpf/bpf_helpers.h>
            struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } seen SEC(".maps");
            volatile __u64 calls;
            const volatile __u32 verdict = XDP_PASS;
            SEC("xdp") int entry(struct xdp_md *ctx)
            {
                __u32 k = ctx->ingress_ifindex & 15;
                __u64 one = 1, *v = bpf_map_lookup_elem(&seen, &k);
                if (v) *v += 1; else bpf_map_update_elem(&seen, &k, &one, BPF_ANY);
                calls++;
                return verdict;
            }
            char LICENSE[] SEC("license") = "GPL";
            """);
        var spec = ObjectSpec.Load(LoaderObjects.Compile(source, true)!);
        var deadline = DateTime.UtcNow.AddSeconds(8);
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();

        void Guard(Action body)
        {
            try { body(); }
            catch (Exception e) { errors.Enqueue(e); }
        }

        // Readers of the process-wide cache, with Flush racing them.
        var cache = Enumerable.Range(0, 3).Select(i => Task.Run(() => Guard(() =>
        {
            while (DateTime.UtcNow < deadline)
            {
                Assert.True(RunningKernel.Btf.TypeCount > 1000);
                _ = RunningKernel.Config;
                _ = RunningKernel.Release;
            }
        }))).ToList();
        cache.Add(Task.Run(() => Guard(() =>
        {
            while (DateTime.UtcNow < deadline) { RunningKernel.Flush(); Thread.Sleep(5); }
        })));

        // Whole-object loads and disposals in parallel.
        var loads = Enumerable.Range(0, 2).Select(i => Task.Run(() => Guard(() =>
        {
            while (DateTime.UtcNow < deadline)
            {
                using var collection = BpfCollection.Load(spec, new BpfLoaderOptions());
                foreach (var p in collection.Programs.Values) progIds.Add(p.Id);
                foreach (var m in collection.Maps.Values) mapIds.Add(m.Id);
                Assert.Equal(2u, (uint)collection.Programs["entry"].TestRun(Frame).ReturnValue); // XDP_PASS from .rodata
            }
        }))).ToList();

        // A ring buffer fed from one thread, drained by another, disposed by a third mid-stream, over and over.
        var rings = Task.Run(() => Guard(() =>
        {
            using var counters = Producers.Counters(2);
            using var ring = BpfMap.Create(BpfMapType.RingBuf, 0, 0, 64 * 1024, name: "bpfsharp_t_crb");
            using var program = AttachTestKit.Load(BpfProgramType.Xdp, Producers.Producer(counters, ring, perf: false), "bpfsharp_t_crbp");
            while (DateTime.UtcNow < deadline)
            {
                var reader = new RingBufferReader(ring);
                var producer = Task.Run(() => program.TestRun(Frame, repeat: 2000));
                var consumer = Task.Run(() =>
                {
                    try { while (true) reader.Poll(20, r => { _ = r[0]; }); }
                    catch (ObjectDisposedException) { }
                });
                Thread.Sleep(3);
                reader.Dispose();
                producer.Wait();
                Assert.True(consumer.Wait(10_000), "consumer did not leave after Dispose");
            }
        }));

        await Task.WhenAll([.. cache, .. loads, rings]);
        Assert.True(errors.IsEmpty, string.Join("\n\n", errors.Take(3)));

        Assert.NotEmpty(progIds);
        // Nothing left behind: every id the loads got is gone (the kernel frees them asynchronously; ids are not
        // reused for a long while, the id space being 2^31).
        var settle = DateTime.UtcNow.AddSeconds(10);
        bool Leaked() => KernelObjects.Ids("prog").Overlaps(progIds) || KernelObjects.Ids("map").Overlaps(mapIds);
        while (Leaked() && DateTime.UtcNow < settle) await Task.Delay(100);
        Assert.False(Leaked(), "a program or map of the parallel loads outlived its collection");
    }
}
