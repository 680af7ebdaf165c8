using System;
using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class Throw
{
    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        if (ctx->IngressIfindex == 0)
            throw new InvalidOperationException("no interface"); // expect: BPFS1008
        return 2;
    }
}
