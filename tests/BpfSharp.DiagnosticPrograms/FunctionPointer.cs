using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class FunctionPointer
{
    private static int Two() => 2;

    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        delegate*<int> f = &Two; // taking the address is fine (callbacks for Bpf.Loop)
        return f(); // expect: BPFS1001
    }
}
