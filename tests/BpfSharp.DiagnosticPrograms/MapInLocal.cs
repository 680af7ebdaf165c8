using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class MapInLocal
{
    private static readonly HashMap<uint, ulong> Counts = new(maxEntries: 16);

    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        var map = Counts; // expect: BPFS1011
        ulong* n = map.Lookup(ctx->IngressIfindex);
        return n == null ? 1 : 2;
    }
}
