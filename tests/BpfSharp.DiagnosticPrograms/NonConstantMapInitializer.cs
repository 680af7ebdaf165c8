using System;
using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class NonConstantMapInitializer
{
    private static readonly HashMap<uint, ulong> Counts = new(maxEntries: (uint)Environment.ProcessorCount); // expect: BPFS1009

    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        ulong* n = Counts.Lookup(ctx->IngressIfindex);
        return n == null ? 1 : 2;
    }
}
