using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class DoubleArithmetic
{
    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        return (int)(ctx->IngressIfindex / 3.0); // expect: BPFS1002
    }
}
