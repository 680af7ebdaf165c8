using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class TypeTest
{
    private static int Classify(object value) => value is string ? 1 : 2; // expect: BPFS1007

    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        return Classify(null);
    }
}
