using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class TooManyHelperArguments
{
    /// <summary>A made-up helper stub with six parameters: BPF passes at most five, in r1–r5.</summary>
    [BpfHelper(6)]
    private static long SixArguments(ulong a, ulong b, ulong c, ulong d, ulong e, ulong f) => throw new BpfOnlyException();

    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        return (int)SixArguments(1, 2, 3, 4, 5, ctx->IngressIfindex); // expect: BPFS3002
    }
}
