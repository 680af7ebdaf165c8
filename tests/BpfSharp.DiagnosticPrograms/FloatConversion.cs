using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class FloatConversion
{
    private static uint Half(uint x) => (uint)((double)x / 2); // expect: BPFS1002

    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        return (int)Half(ctx->RxQueueIndex);
    }
}
