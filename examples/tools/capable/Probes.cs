// The BPF half of capable, in C#: every security capability check (cap_capable()) with its verdict. bcc puts a kprobe
// and a kretprobe on cap_capable, which see the options (audit, in-setid); kernels without kprobes have, in their
// newer versions, the capability/cap_capable tracepoint instead, which gives the capability and the verdict but not
// the options. Both are here; the user half loads the pair it can attach.
using BpfSharp.Kernel;

namespace Capable;

/// <summary>The record sent to user space.</summary>
public unsafe struct CapEvent
{
    public uint Pid;
    public uint Cap;
    public uint Tid;
    public uint Uid;
    /// <summary>1 when the check is audited, 0 when not, -1 when the attach point can't tell.</summary>
    public int Audit;
    /// <summary>1 for a check in a set*id() call, 0 when not, -1 when the attach point can't tell.</summary>
    public int InSetId;
    public int Ret;
    public fixed byte Comm[Probes.TaskCommLength];
}

/// <summary>What the kprobe keeps for the kretprobe.</summary>
public struct PendingCheck
{
    public int Cap;
    public uint Options;
}

/// <summary>The key of <see cref="Probes.Seen"/> (-u).</summary>
public struct UniqueKey
{
    public int Cap;
    public uint Tgid;
    public ulong CgroupId;
}

public static unsafe class Probes
{
    public const int TaskCommLength = 16;
    public const uint UniqueOff = 0;
    public const uint UniquePid = 1;
    public const uint UniqueCgroup = 2;
    // include/linux/security.h
    private const uint CapOptNoAudit = 1 << 1;
    private const uint CapOptInSetId = 1 << 2;

    /// <summary>The tool's own process, whose checks are left out.</summary>
    public static readonly uint MyPid;
    /// <summary>Only this process (0: all).</summary>
    public static readonly uint TargetPid;
    /// <summary>Report each capability once per process or per cgroup (<see cref="UniquePid"/>, <see cref="UniqueCgroup"/>).</summary>
    public static readonly uint UniqueType;

    public static readonly HashMap<ulong, PendingCheck> Start = new(maxEntries: 10240);
    public static readonly HashMap<UniqueKey, ulong> Seen = new(maxEntries: 10240);
    public static readonly RingBuffer CapEvents = new(size: 256 * 1024);

    private static bool Traced(ulong pidTgid)
    {
        var pid = (uint)(pidTgid >> 32);
        if (pid == MyPid) return false;
        return TargetPid == 0 || pid == TargetPid;
    }

    // The event, unless -u has seen this capability for this process or cgroup before.
    private static void Emit(ulong pidTgid, int cap, int ret, int audit, int inSetId)
    {
        if (UniqueType != UniqueOff)
        {
            UniqueKey key = default;
            key.Cap = cap;
            if (UniqueType == UniqueCgroup) key.CgroupId = Bpf.GetCurrentCgroupId();
            else key.Tgid = (uint)(pidTgid >> 32);
            if (Seen.Lookup(key) != null) return;
            Seen.Update(key, 0);
        }
        var e = CapEvents.Reserve<CapEvent>();
        if (e == null) return;
        e->Pid = (uint)(pidTgid >> 32);
        e->Tid = (uint)pidTgid;
        e->Cap = (uint)cap;
        e->Uid = (uint)Bpf.GetCurrentUidGid();
        e->Ret = ret;
        e->Audit = audit;
        e->InSetId = inSetId;
        Bpf.GetCurrentComm(e->Comm, TaskCommLength);
        CapEvents.Submit(e);
    }

    [Kprobe("cap_capable")]
    public static int KprobeCapCapable(PtRegs* ctx)
    {
        // cap_capable(const struct cred *cred, struct user_namespace *targ_ns, int cap, unsigned int opts)
        var pidTgid = Bpf.GetCurrentPidTgid();
        if (!Traced(pidTgid)) return 0;
        PendingCheck check = default;
        check.Cap = (int)ctx->Parm3;
        check.Options = (uint)ctx->Parm4;
        Start.Update(pidTgid, check);
        return 0;
    }

    [Kretprobe("cap_capable")]
    public static int KretprobeCapCapable(PtRegs* ctx)
    {
        var pidTgid = Bpf.GetCurrentPidTgid();
        var check = Start.Lookup(pidTgid);
        if (check == null) return 0;
        var cap = check->Cap;
        var options = check->Options;
        Start.Delete(pidTgid);
        Emit(pidTgid, cap, (int)ctx->Rc, (options & CapOptNoAudit) == 0 ? 1 : 0, (options & CapOptInSetId) != 0 ? 1 : 0);
        return 0;
    }

    [TpBtf("cap_capable")]
    public static int TracepointCapCapable(ulong* ctx)
    {
        // cap_capable(const struct cred *cred, struct user_namespace *target_ns,
        //             const struct user_namespace *capable_ns, int cap, int ret)
        var pidTgid = Bpf.GetCurrentPidTgid();
        if (!Traced(pidTgid)) return 0;
        Emit(pidTgid, (int)ctx[3], (int)ctx[4], -1, -1);
        return 0;
    }
}
