using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class SpanUnsupportedMember
{
    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        System.Span<byte> scratch = stackalloc byte[8];
        scratch.Clear(); // expect: BPFS1006
        return scratch[(int)(ctx->IngressIfindex & 7)];
    }
}
