using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class MutualRecursion
{
    private static bool IsEven(uint n) => n == 0 || IsOdd(n - 1);

    private static bool IsOdd(uint n) => n != 0 && IsEven(n - 1); // expect: BPFS1004

    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        return IsEven(ctx->RxQueueIndex) ? 1 : 2;
    }
}
