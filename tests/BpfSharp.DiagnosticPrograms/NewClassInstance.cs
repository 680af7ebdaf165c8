using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class NewClassInstance
{
    private sealed class Holder(uint value)
    {
        public uint Value = value;
    }

    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        return (int)new Holder(ctx->IngressIfindex).Value; // expect: BPFS1007
    }
}
