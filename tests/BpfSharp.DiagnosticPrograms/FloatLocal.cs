using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class FloatLocal
{
    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        float ratio = ctx->IngressIfindex; // expect: BPFS1002
        return (int)ratio;
    }
}
