using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public struct Sample
{
    public float Weight;
}

public static unsafe class FloatField
{
    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        Sample* sample = (Sample*)ctx->DataPointer;
        return sample->Weight > 1 ? 1 : 2; // expect: BPFS1002
    }
}
