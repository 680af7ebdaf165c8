using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class TwoParameterEntry
{
    [Xdp]
    public static int Run(XdpMd* ctx, int extra)
    { // expect: BPFS2003
        return extra;
    }
}
