using BpfSharp.Kernel;

namespace BpfSharp.TestPrograms;

/// <summary>A perf_event program reading its context (<c>struct bpf_perf_event_data</c>).</summary>
public static unsafe class PerfEventSampler
{
    public struct PerfSample
    {
        public ulong Count;
        public ulong SamplePeriod;
        public ulong Addr;
        public ulong InstructionPointer;
    }

    public static readonly ArrayMap<PerfSample> PerfEventSamples = new(maxEntries: 1);

    [PerfEvent]
    public static int SamplePerfEvent(PerfEventData* ctx)
    {
        PerfSample* s = PerfEventSamples.Lookup(0);
        if (s == null)
        {
            return 0;
        }

        s->Count += 1;
        s->SamplePeriod = ctx->SamplePeriod;
        s->Addr = ctx->Addr;
        s->InstructionPointer = ctx->Regs.InstructionPointer;
        return 0;
    }
}
