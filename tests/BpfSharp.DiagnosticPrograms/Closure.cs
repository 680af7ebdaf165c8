using System;
using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class Closure
{
    // C# allocates the closure object for captured locals where their scope starts: here, at the method's brace.
    [Xdp]
    public static int Run(XdpMd* ctx)
    { // expect: BPFS1007
        uint index = ctx->IngressIfindex;
        Func<int> read = () => (int)index;
        return read();
    }
}
