using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class RelocatableLocal
{
    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        TaskStruct* task = (TaskStruct*)Bpf.GetCurrentTask();
        TaskStruct copy = *task; // expect: BPFS4001
        return copy.Pid;
    }
}
