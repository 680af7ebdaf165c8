using BpfSharp.Kernel;

namespace BpfSharp.TestPrograms.Twins;

/// <summary>Twin of testdata/twins/pid_comm.bpf.c.</summary>
public static unsafe class PidCommTwin
{
    public struct SyscallRecord
    {
        public ulong PidTgid;
        public ulong Count;
        public fixed byte Comm[16];
    }

    static readonly ArrayMap<SyscallRecord> GetpidRecord = new(maxEntries: 1);

    static ulong TargetPidTgid;

    /// <summary><c>struct bpf_raw_tracepoint_args</c> of sys_enter: args[0] = pt_regs*, args[1] = syscall number.</summary>
    [RawTracepoint("sys_enter")]
    public static int PidComm(ulong* ctx)
    {
        if (ctx[1] != 39) // __NR_getpid on x86-64
        {
            return 0;
        }

        ulong id = Bpf.GetCurrentPidTgid();
        if (id != TargetPidTgid)
        {
            return 0;
        }

        SyscallRecord* r = GetpidRecord.Lookup(0);
        if (r == null)
        {
            return 0;
        }

        r->PidTgid = id;
        r->Count += 1;
        Bpf.GetCurrentComm(r->Comm, 16);
        return 0;
    }
}
