using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class UntrustedKernelStore
{
    // bpf_get_current_task() is a number, not a BTF pointer: the verifier lets no program write through it.
    [TpBtf("sys_enter")]
    public static int Run(void* ctx)
    {
        TaskStruct* task = (TaskStruct*)Bpf.GetCurrentTask();
        task->Pid = 1; // expect: BPFS4002
        return 0;
    }
}
