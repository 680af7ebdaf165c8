using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class FloatArithmetic
{
    private static int Scale(uint x) => (int)(x * 1.5f); // expect: BPFS1002

    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        return Scale(ctx->IngressIfindex);
    }
}
