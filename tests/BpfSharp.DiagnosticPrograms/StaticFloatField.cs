using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class StaticFloatField
{
    private static readonly double Threshold = 0.5;

    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        return ctx->IngressIfindex > Threshold ? 1 : 2; // expect: BPFS1002
    }
}
