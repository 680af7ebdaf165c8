using System;
using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class Lambda
{
    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        Func<int> read = () => 2; // expect: BPFS1007
        return read();
    }
}
