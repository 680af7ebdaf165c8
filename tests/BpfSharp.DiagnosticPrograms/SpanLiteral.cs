using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class SpanLiteral
{
    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        System.ReadOnlySpan<byte> name = "bash"u8; // expect: BPFS1010
        return name[(int)(ctx->IngressIfindex & 3)];
    }
}
