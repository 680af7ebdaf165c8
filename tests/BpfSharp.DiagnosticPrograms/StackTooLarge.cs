using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public unsafe struct Buffer300
{
    public fixed byte Bytes[300];
}

public static unsafe class StackTooLarge
{
    [Xdp]
    public static int Run(XdpMd* ctx)
    { // expect: BPFS3001
        Buffer300 first = default;
        Buffer300 second = default;
        Bpf.ProbeReadKernel(&first, 300, (void*)ctx->Data);
        Bpf.ProbeReadKernel(&second, 300, (void*)ctx->DataEnd);
        return first.Bytes[0] + second.Bytes[299];
    }
}
