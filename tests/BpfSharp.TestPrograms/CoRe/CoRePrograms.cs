using BpfSharp.Kernel;

namespace BpfSharp.TestPrograms.CoRe;

/// <summary>
/// CO-RE programs with C twins in testdata/compiler/core_programs.bpf.c: the relocation records must agree with
/// clang's, relocate identically under libbpf and BpfSharp, and read the right values in the kernel.
/// </summary>
public static unsafe class CoRePrograms
{
    public static readonly ArrayMap<TaskInfo> Results = new(maxEntries: 3);

    /// <summary>raw_tp: kernel pointers are plain scalars, so every access is a relocated probe-read (BPF_CORE_READ).</summary>
    [RawTracepoint("sys_enter")]
    public static int ReadTask(void* ctx)
    {
        var task = (TaskStruct*)Bpf.GetCurrentTask();
        var info = Results.Lookup(0);
        if (info == null)
        {
            return 0;
        }

        info->Pid = task->pid;
        info->Tgid = task->tgid;
        info->ParentTgid = task->real_parent->tgid;
        info->StartTime = task->start_time;
        info->Vruntime = task->se.vruntime;
        Core.ReadString(info->Comm, 16, in task->comm[0]);
        info->OldStateExists = Core.FieldExists(in ((TaskStructOld*)task)->state) ? 1 : 0;
        info->NewStateExists = Core.FieldExists(in ((TaskStructNew*)task)->__state) ? 1 : 0;
        info->NoSuchTypeExists = Core.TypeExists<NoSuchType>() ? 1 : 0;
        info->PidTypeTgid = Core.EnumValue(PidType.PIDTYPE_TGID);
        info->TaskSize = Core.TypeSize<TaskStruct>();
        info->PidOffset = Core.FieldOffset(in task->pid);
        return 0;
    }

    /// <summary>tp_btf: the task pointer is BTF-typed, so accesses are single relocated loads.</summary>
    [TpBtf("sys_enter")]
    public static int ReadTaskDirect(void* ctx)
    {
        var task = (TaskStruct*)Bpf.GetCurrentTaskBtf();
        var info = Results.Lookup(1);
        if (info == null)
        {
            return 0;
        }

        info->Pid = task->pid;
        info->Tgid = task->tgid;
        info->ParentTgid = task->real_parent->tgid;
        info->Vruntime = task->se.vruntime;
        info->StartTime = task->start_time;
        return 0;
    }

    /// <summary>Pointer fields read explicitly: Core.ReadPointer, then Core.Read through the result.</summary>
    [RawTracepoint("sys_enter")]
    public static int ReadParent(void* ctx)
    {
        var task = (TaskStruct*)Bpf.GetCurrentTask();
        var info = Results.Lookup(2);
        if (info == null)
        {
            return 0;
        }

        TaskStruct* parent = Core.ReadPointer(in task->real_parent);
        info->ParentTgid = Core.Read(in parent->tgid);
        info->Pid = Core.Read(in task->pid);
        return 0;
    }

    public static readonly ArrayMap<SkbInfo> SkbResults = new(maxEntries: 1);

    /// <summary>Anonymous members, unions, constant and variable array indices, p[1], bitfields, field info.</summary>
    [RawTracepoint("sys_enter")]
    public static int ReadSkb(void* ctx)
    {
        var skb = (SkBuffKernel*)Bpf.GetCurrentTask();
        var info = SkbResults.Lookup(0);
        if (info == null)
        {
            return 0;
        }

        info->Prev = (ulong)skb->head.links.prev;
        info->Mstamp = skb->time.skb_mstamp_ns;
        info->Cb5 = skb->cb[5];
        var i = (int)(info->Cb5 & 7);
        info->CbI = skb->cb[i];
        info->NextLen = skb[1].len;
        info->LenSize = Core.FieldSize(in skb->len);
        info->LenSigned = Core.FieldSigned(in skb->len) ? 1u : 0u;
        info->LenLShift = Core.FieldLShift(in skb->len);
        info->LenRShift = Core.FieldRShift(in skb->len);
        info->Cloned = Core.ReadBitfield(in skb->cloned);
        info->RbLeft = (ulong)skb->head.rbnode.rb_left;
        return 0;
    }
}
