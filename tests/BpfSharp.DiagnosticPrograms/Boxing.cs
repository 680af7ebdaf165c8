using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class Boxing
{
    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        return ((object)ctx->IngressIfindex).Equals(null) ? 1 : 2; // expect: BPFS1007
    }
}
