using BpfSharp.Linux.Links;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Linux;
using static BpfSharp.TestPrograms.PerfEventSampler;

namespace BpfSharp.Tests.Compiler;

/// <summary>A [PerfEvent] program on <c>PerfEventData</c>: the verifier accepts its context loads (it checks each
/// offset and size against <c>struct bpf_perf_event_data</c>) and, sampling cpu-clock, they return the sample.</summary>
public sealed class PerfEventContextTests
{
    [Fact]
    public void PerfEventProgram_ReadsSamplePeriodAndRegisters()
    {
        KernelObjects.RequireBpf();
        using var collection = BpfCollection.Load(ObjectSpec.Load(CompiledTestPrograms.ObjectPath));
        var samples = collection.Maps["PerfEventSamples"];
        using (PerfEventLink.SoftwareEvent(collection.Programs["SamplePerfEvent"], cpu: 0, frequency: 1000))
        {
            Assert.True(Runtime.AttachTestKit.Eventually(() => samples.TryLookup(0u, out PerfSample s) && s.Count >= 3),
                "no cpu-clock samples on CPU 0 within 5 s");
        }

        Assert.True(samples.TryLookup(0u, out PerfSample sample));
        Assert.True(sample.SamplePeriod > 0, "sample_period was 0");
        Assert.True(sample.InstructionPointer != 0, "regs.ip was 0");
    }
}
