using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class GenericVirtualConstrained
{
    private static int HashOf<T>(T value) => value.GetHashCode(); // expect: BPFS1006

    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        return HashOf(ctx->IngressIfindex);
    }
}
