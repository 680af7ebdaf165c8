using System;
using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public struct Scope : IDisposable
{
    public void Dispose() { }
}

public static unsafe class UsingStatement
{
    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        using (new Scope()) // expect: BPFS1008
        {
            return 2;
        }
    }
}
