using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms.NoSilentMiscompile;

[Relocatable("task_struct")]
public struct KernelTask
{
    [BtfName("pid")] public int Pid;
    [BtfName("tgid")] public int Tgid;
}

/// <summary>
/// The address of a field of a [Relocatable] type is the running kernel's offset, which only a CO-RE relocation
/// gives: compiling it to the C# offset (4 here; ~2.5 KiB in real kernels) is a silent miscompile. The compiler must
/// either emit a CO-RE field relocation for the marked line or reject it there.
/// </summary>
public static unsafe class RelocatableFieldAddress
{
    [Kprobe("do_unlinkat")]
    public static int Run(PtRegs* ctx)
    {
        KernelTask* task = (KernelTask*)Bpf.GetCurrentTask();
        int tgid = 0;
        Bpf.ProbeReadKernel(&tgid, 4, &task->Tgid); // expect-relocation: field_byte_offset
        return tgid;
    }
}
