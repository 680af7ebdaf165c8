using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class ArrayLocal
{
    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        int[] counts = new int[4]; // expect: BPFS1007
        counts[0] = (int)ctx->IngressIfindex;
        return counts[0];
    }
}
