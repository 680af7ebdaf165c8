using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class SwitchOnString
{
    private static int Code(string name) => name == "eth0" ? 1 : 2; // expect: BPFS1005

    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        return Code("lo");
    }
}
