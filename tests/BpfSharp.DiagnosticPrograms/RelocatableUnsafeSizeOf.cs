using System.Runtime.CompilerServices;
using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class RelocatableUnsafeSizeOf
{
    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        return Unsafe.SizeOf<TaskStruct>(); // expect: BPFS4001
    }
}
