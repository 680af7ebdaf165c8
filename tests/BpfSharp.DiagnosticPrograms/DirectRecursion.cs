using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class DirectRecursion
{
    private static uint Factorial(uint n) => n <= 1 ? 1 : n * Factorial(n - 1); // expect: BPFS1004

    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        return (int)Factorial(ctx->RxQueueIndex);
    }
}
