using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

[Relocatable("task_struct")]
public struct TaskStruct
{
    [BtfName("pid")] public int Pid;
    [BtfName("tgid")] public int Tgid;
}

public static unsafe class RelocatableSizeof
{
    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        return sizeof(TaskStruct); // expect: BPFS4001
    }
}
