using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class NewArray
{
    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        return new int[(int)(ctx->IngressIfindex & 3)].Length; // expect: BPFS1007
    }
}
