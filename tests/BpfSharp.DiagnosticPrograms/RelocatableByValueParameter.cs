using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class RelocatableByValueParameter
{
    private static int PidOf(TaskStruct task) => task.Pid;

    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        return PidOf(*(TaskStruct*)Bpf.GetCurrentTask()); // expect: BPFS4001
    }
}
