using BpfSharp.Linux;
using BpfSharp.Linux.RingBuffer;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Runtime;

namespace BpfSharp.Tests.Tools;

using Kit = BpfSharp.Tests.Runtime.TestPrograms;

/// <summary>
/// <see cref="EventReader"/>: two ring buffers and a perf buffer behind one wait, each fed by its own program run
/// through BPF_PROG_TEST_RUN; every numbered record arrives once, read as a struct, at the right handler.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class EventReaderTests
{
    private static readonly byte[] Frame = new byte[64];

    private readonly record struct Numbered(ulong Sequence, ulong Magic);

    [Fact]
    public void TwoRingsAndAPerfBufferInOneReader()
    {
        KernelObjects.RequireBpf();
        Assert.True(EventReader.RingBufferSupported);
        var tag = $"h{Environment.ProcessId % 100000}";
        using var counters = Kit.Counters(2, "bpfs_evc_" + tag);
        using var ringA = BpfMap.Create(BpfMapType.RingBuf, 0, 0, 64 * 1024, name: "bpfs_eva_" + tag);
        using var ringB = BpfMap.Create(BpfMapType.RingBuf, 0, 0, 64 * 1024, name: "bpfs_evb_" + tag);
        using var perf = BpfMap.Create(BpfMapType.PerfEventArray, 4, 4, Environment.ProcessorCount, name: "bpfs_evp_" + tag);
        using var countersB = Kit.Counters(2, "bpfs_evd_" + tag);
        using var countersP = Kit.Counters(2, "bpfs_eve_" + tag);
        using var producerA = AttachTestKit.Load(BpfProgramType.Xdp, Kit.Producer(counters, ringA, perf: false), "bpfs_pa_" + tag);
        using var producerB = AttachTestKit.Load(BpfProgramType.Xdp, Kit.Producer(countersB, ringB, perf: false), "bpfs_pb_" + tag);
        using var producerP = AttachTestKit.Load(BpfProgramType.Xdp, Kit.Producer(countersP, perf, perf: true), "bpfs_pp_" + tag);

        var seen = new[] { new HashSet<ulong>(), new HashSet<ulong>(), new HashSet<ulong>() };
        var bad = 0;
        using var reader = new EventReader();
        for (var i = 0; i < 3; i++)
        {
            var index = i;
            reader.Add<Numbered>(new[] { ringA, ringB, perf }[i], (in Numbered e) =>
            {
                if (e.Magic != Kit.RecordMagic || !seen[index].Add(e.Sequence)) bad++;
            }, pagesPerCpu: 8);
        }

        // Nothing pending: a short poll times out with nothing.
        Assert.Equal(0, reader.Poll(10));
        producerA.TestRun(Frame, repeat: 300);
        producerB.TestRun(Frame, repeat: 200);
        producerP.TestRun(Frame, repeat: 100);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((seen[0].Count < 300 || seen[1].Count < 200 || seen[2].Count < 100) && DateTime.UtcNow < deadline) reader.Poll(100);

        Assert.Equal(0, bad);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (ulong)i), seen[0].Order());
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (ulong)i), seen[1].Order());
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (ulong)i), seen[2].Order());
        Assert.Equal(600, reader.ReceivedCount);
        Assert.Equal(0, reader.LostCount);
    }

    [Fact]
    public void ShortRecordIsAnErrorNamingTheSizes()
    {
        var error = Assert.Throws<InvalidDataException>(() => EventRecords.Read<Numbered>(new byte[12]));
        Assert.Contains("12-byte record", error.Message);
        Assert.Contains("16 bytes", error.Message);
        Assert.Equal(new Numbered(7, 9), EventRecords.Read<Numbered>([7, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]));
    }

    [Fact]
    public void OtherMapTypesAreRefused()
    {
        KernelObjects.RequireBpf();
        using var array = Kit.Counters(1, $"bpfs_evx_h{Environment.ProcessId % 100000}");
        using var reader = new EventReader();
        Assert.Throws<ArgumentException>(() => reader.Add(array, (RingBufferRecordHandler)(_ => { }), 64));
    }
}
