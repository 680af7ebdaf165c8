using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class CheckedArithmetic
{
    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        return checked((int)ctx->IngressIfindex * 1000); // expect: BPFS1008
    }
}
