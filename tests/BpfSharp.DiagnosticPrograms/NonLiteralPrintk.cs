using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class NonLiteralPrintk
{
    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        Bpf.Printk(ctx->IngressIfindex == 1 ? "loopback" : "other"); // expect: BPFS1005
        return 2;
    }
}
