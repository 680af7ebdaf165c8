using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class TryFinallyInCallee
{
    private static int s_calls;

    private static int Count(uint x)
    {
        try // expect: BPFS1008
        {
            return (int)x;
        }
        finally
        {
            s_calls++;
        }
    }

    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        return Count(ctx->IngressIfindex);
    }
}
