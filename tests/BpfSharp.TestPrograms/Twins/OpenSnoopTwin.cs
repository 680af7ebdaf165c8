using BpfSharp.Kernel;
using BpfSharp.Kernel.Tracepoints;

namespace BpfSharp.TestPrograms.Twins;

/// <summary>Twin of testdata/twins/opensnoop_enter.bpf.c: a tracepoint program on the fixed-layout syscall record.</summary>
public static unsafe class OpenSnoopTwin
{
    public struct OpenArgs
    {
        public ulong Fname;
        public int Flags;
    }

    static readonly HashMap<uint, OpenArgs> OpenStart = new(maxEntries: 10240);

    static readonly int OpenTargetTgid = 0;
    static readonly int OpenTargetPid = 0;
    static readonly uint OpenTargetUid = uint.MaxValue;

    static bool TraceAllowed(uint tgid, uint pid)
    {
        // C compares pid_t with u32 as unsigned; without the cast C# would widen both to long.
        if (OpenTargetTgid != 0 && (uint)OpenTargetTgid != tgid)
        {
            return false;
        }

        if (OpenTargetPid != 0 && (uint)OpenTargetPid != pid)
        {
            return false;
        }

        return OpenTargetUid == uint.MaxValue || OpenTargetUid == (uint)Bpf.GetCurrentUidGid();
    }

    [Tracepoint("syscalls/sys_enter_openat")]
    public static int OpenSnoopEnter(SyscallEnter* ctx)
    {
        ulong id = Bpf.GetCurrentPidTgid();
        uint tgid = (uint)(id >> 32);
        uint pid = (uint)id;
        if (TraceAllowed(tgid, pid))
        {
            OpenArgs args = default;
            args.Fname = ctx->Args[1];
            args.Flags = (int)ctx->Args[2];
            OpenStart.Update(pid, args);
        }

        return 0;
    }
}
