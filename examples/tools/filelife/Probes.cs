// The BPF half of filelife, in C#. bcc hooks vfs_create and vfs_unlink with kprobes (or fentry) and keys files by
// dentry; kernels without kprobes, or that refuse fentry, still have the raw syscall tracepoints, so this variant
// watches creat()/open()/openat() with O_CREAT and unlink()/unlinkat() (tp_btf/sys_enter, sys_exit) and keys files
// by the path the syscalls were given: a file is matched when it is removed under the spelling it was created with.
// x86-64 syscall numbers and registers.
using BpfSharp.Kernel;

namespace FileLife;

/// <summary>The record sent to user space when a file the tool saw created is deleted.</summary>
public unsafe struct FileEvent
{
    public fixed byte File[Probes.PathMax];
    public fixed byte Task[Probes.TaskCommLength];
    public ulong DeltaNs;
    public uint Tgid;
}

/// <summary>A path, as the key of the creation times.</summary>
public unsafe struct PathKey
{
    public fixed byte Path[Probes.PathMax];
}

/// <summary>What sys_enter keeps for sys_exit: the path argument and whether the call creates or deletes.</summary>
public struct PendingCall
{
    public ulong Path;
    public bool Unlink;
}

/// <summary>The syscall's registers (x86-64 <c>struct pt_regs</c>, fields found by name at load time).</summary>
[Relocatable("pt_regs")]
public struct SyscallRegs
{
    public ulong di;
    public ulong si;
    public ulong dx;
    public ulong orig_ax;
}

public static unsafe class Probes
{
    public const int TaskCommLength = 16;
    public const int PathMax = 256;
    private const long NrOpen = 2;
    private const long NrCreat = 85;
    private const long NrUnlink = 87;
    private const long NrOpenat = 257;
    private const long NrUnlinkat = 263;
    private const long OCreat = 0x40;
    private const long AtRemoveDir = 0x200;

    public static readonly uint TargetTgid;

    public static readonly HashMap<uint, PendingCall> Pending = new(maxEntries: 10240);
    public static readonly HashMap<PathKey, ulong> Created = new(maxEntries: 10240);
    public static readonly RingBuffer Events = new(size: 256 * 1024);

    [TpBtf("sys_enter")]
    public static int HandleEnter(ulong* ctx)
    {
        var id = (long)ctx[1];
        if (id != NrOpen && id != NrOpenat && id != NrCreat && id != NrUnlink && id != NrUnlinkat) return 0;
        var pidTgid = Bpf.GetCurrentPidTgid();
        if (TargetTgid != 0 && (uint)(pidTgid >> 32) != TargetTgid) return 0;

        var regs = (SyscallRegs*)ctx[0];
        PendingCall call = default;
        if (id == NrOpen)
        {
            if (((long)regs->si & OCreat) == 0) return 0;
            call.Path = regs->di;
        }
        else if (id == NrOpenat)
        {
            if (((long)regs->dx & OCreat) == 0) return 0;
            call.Path = regs->si;
        }
        else if (id == NrCreat)
        {
            call.Path = regs->di;
        }
        else if (id == NrUnlink)
        {
            call.Path = regs->di;
            call.Unlink = true;
        }
        else
        {
            if (((long)regs->dx & AtRemoveDir) != 0) return 0;
            call.Path = regs->si;
            call.Unlink = true;
        }
        Pending.Update((uint)pidTgid, call);
        return 0;
    }

    [TpBtf("sys_exit")]
    public static int HandleExit(ulong* ctx)
    {
        var regs = (SyscallRegs*)ctx[0];
        var id = (long)regs->orig_ax;
        if (id != NrOpen && id != NrOpenat && id != NrCreat && id != NrUnlink && id != NrUnlinkat) return 0;
        var pidTgid = Bpf.GetCurrentPidTgid();
        var tid = (uint)pidTgid;
        var call = Pending.Lookup(tid);
        if (call == null) return 0;
        var ret = (long)ctx[1];
        if (ret < 0)
        {
            Pending.Delete(tid);
            return 0;
        }

        // The key must be zero past the string: the hash compares all of it.
        PathKey key = default;
        Bpf.ProbeReadUserStr(key.Path, PathMax, (void*)call->Path);
        var now = Bpf.KtimeGetNs();
        if (!call->Unlink)
        {
            // A file opened with O_CREAT that is already known keeps its first creation time.
            Created.Update(key, now, UpdateFlags.NoExist);
            Pending.Delete(tid);
            return 0;
        }

        var created = Created.Lookup(key);
        if (created != null)
        {
            var e = Events.Reserve<FileEvent>();
            if (e != null)
            {
                e->DeltaNs = now - *created;
                e->Tgid = (uint)(pidTgid >> 32);
                Bpf.GetCurrentComm(e->Task, TaskCommLength);
                Bpf.ProbeReadKernelStr(e->File, PathMax, key.Path);
                Events.Submit(e);
            }
            Created.Delete(key);
        }
        Pending.Delete(tid);
        return 0;
    }
}
