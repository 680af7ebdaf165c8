using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class TryCatch
{
    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        try // expect: BPFS1008
        {
            return (int)(100 / ctx->IngressIfindex);
        }
        catch
        {
            return 2;
        }
    }
}
