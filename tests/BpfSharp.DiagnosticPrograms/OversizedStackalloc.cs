using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class OversizedStackalloc
{
    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        byte* buffer = stackalloc byte[1024]; // expect: BPFS1001
        buffer[0] = (byte)ctx->IngressIfindex;
        return buffer[0];
    }
}
