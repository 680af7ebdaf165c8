using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class StringInterpolation
{
    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        Bpf.Printk($"ifindex {ctx->IngressIfindex}"); // expect: BPFS1005
        return 2;
    }
}
