using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class ThrowNull
{
    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        if (ctx->IngressIfindex == 0)
            throw null; // expect: BPFS1008
        return 2;
    }
}
