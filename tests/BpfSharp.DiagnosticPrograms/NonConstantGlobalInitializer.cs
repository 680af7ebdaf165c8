using System;
using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class NonConstantGlobalInitializer
{
    private static readonly long Started = Environment.TickCount64; // expect: BPFS1009

    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        return (int)(Started & 1);
    }
}
