using BpfSharp.Kernel;

namespace BpfSharp.TestPrograms.CoRe;

/// <summary>What the provenance programs read (one slot per program).</summary>
public struct ProvenanceInfo
{
    public int Pid;
    public int ParentTgid;
    public int GrandparentTgid;
    public int CommChar;
}

/// <summary>
/// tp_btf programs whose kernel pointers come from places the verifier does not trust (a map value, a probe-read,
/// a variable index, a merge of origins), next to ones it does (bpf_get_current_task_btf and pointer fields read
/// directly from it). The access form follows the pointer: direct loads through BTF pointers, probe-reads
/// (BPF_CORE_READ) through the rest. C twin: testdata/compiler/provenance.bpf.c. Each program acts only for the
/// thread whose id is in ProvenanceConfig[0].
/// </summary>
public static unsafe class ProvenancePrograms
{
    public static readonly ArrayMap<ProvenanceInfo> ProvenanceResults = new(maxEntries: 5);
    public static readonly ArrayMap<ulong> ProvenancePointers = new(maxEntries: 2);

    /// <summary>[0]: the thread to act for; [1]: an index into comm (and the merge's choice).</summary>
    public static readonly ArrayMap<uint> ProvenanceConfig = new(maxEntries: 2);

    private static bool ForThisThread()
    {
        var tid = ProvenanceConfig.Lookup(0);
        return tid != null && *tid == (uint)Bpf.GetCurrentPidTgid();
    }

    /// <summary>A task pointer kept in a map: a scalar to the verifier, so every access is a probe-read.</summary>
    [TpBtf("sys_enter")]
    public static int ProvenanceFromMap(void* ctx)
    {
        var slot = ProvenancePointers.Lookup(0);
        var info = ProvenanceResults.Lookup(0);
        if (!ForThisThread() || slot == null || info == null)
        {
            return 0;
        }

        *slot = (ulong)Bpf.GetCurrentTaskBtf();
        var task = (TaskStruct*)*slot;
        info->Pid = task->pid;
        info->ParentTgid = task->real_parent->tgid;
        return 0;
    }

    /// <summary>The parent read by Core.ReadPointer is a number: read through with probe-reads; the BTF task
    /// itself directly.</summary>
    [TpBtf("sys_enter")]
    public static int ProvenanceFromProbeRead(void* ctx)
    {
        var info = ProvenanceResults.Lookup(1);
        if (!ForThisThread() || info == null)
        {
            return 0;
        }

        var task = (TaskStruct*)Bpf.GetCurrentTaskBtf();
        TaskStruct* parent = Core.ReadPointer(in task->real_parent);
        info->ParentTgid = parent->tgid;
        info->Pid = task->pid;
        return 0;
    }

    /// <summary>A variable index into a BTF pointer's array: the verifier refuses a variable offset, so it is a
    /// probe-read at the relocated array plus the index.</summary>
    [TpBtf("sys_enter")]
    public static int ProvenanceVariableIndex(void* ctx)
    {
        var index = ProvenanceConfig.Lookup(1);
        var info = ProvenanceResults.Lookup(2);
        if (!ForThisThread() || index == null || info == null)
        {
            return 0;
        }

        var task = (TaskStruct*)Bpf.GetCurrentTaskBtf();
        info->CommChar = task->comm[*index & 15];
        info->Pid = task->pid;
        return 0;
    }

    /// <summary>A pointer that is a BTF pointer on one path and a map value on the other: probe-read.</summary>
    [TpBtf("sys_enter")]
    public static int ProvenanceMerge(void* ctx)
    {
        var choice = ProvenanceConfig.Lookup(1);
        var slot = ProvenancePointers.Lookup(1);
        var info = ProvenanceResults.Lookup(3);
        if (!ForThisThread() || choice == null || slot == null || info == null)
        {
            return 0;
        }

        var btf = (TaskStruct*)Bpf.GetCurrentTaskBtf();
        *slot = (ulong)btf;
        var task = (*choice & 1) != 0 ? (TaskStruct*)*slot : btf;
        info->Pid = task->pid;
        return 0;
    }

    /// <summary>Pointer fields read directly from a BTF pointer are BTF pointers, also around a loop: direct loads
    /// all the way up to the grandparent.</summary>
    [TpBtf("sys_enter")]
    public static int ProvenanceWalk(void* ctx)
    {
        var info = ProvenanceResults.Lookup(4);
        if (!ForThisThread() || info == null)
        {
            return 0;
        }

        var task = (TaskStruct*)Bpf.GetCurrentTaskBtf();
        info->Pid = task->pid;
        for (var i = 0; i < 2; i++)
        {
            task = task->real_parent;
        }

        info->GrandparentTgid = task->tgid;
        return 0;
    }
}
