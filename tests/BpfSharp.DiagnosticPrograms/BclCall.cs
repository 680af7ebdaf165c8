using System;
using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class BclCall
{
    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        return (int)ctx->IngressIfindex + Environment.ProcessorCount; // expect: BPFS1006
    }
}
