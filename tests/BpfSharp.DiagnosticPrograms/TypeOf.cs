using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class TypeOf
{
    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        return typeof(XdpMd).Name.Length; // expect: BPFS1001
    }
}
