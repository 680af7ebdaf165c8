using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class CheckedConversion
{
    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        return checked((byte)ctx->IngressIfindex); // expect: BPFS1008
    }
}
