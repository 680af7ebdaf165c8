using System.Globalization;
using BpfSharp.Instructions;
using BpfSharp.Linux.Interop;
using BpfSharp.Linux.Loading;

namespace BpfSharp.Linux.Features;

/// <summary>
/// The system-wide answers <c>bpftool feature probe kernel</c> prints besides program types, map types and
/// helpers: the BPF sysctls and kernel config options (its "system configuration"), whether the <c>bpf()</c>
/// syscall exists, and the miscellaneous verifier features (large programs, bounded loops, ISA v2 and v3), each
/// probed as bpftool does.
/// </summary>
public static class BpfSystemFeatures
{
    private const int ENOSYS = 38, EINVAL = 22, E2BIG = 7;
    private static readonly Lazy<bool> Syscall = new(ProbeSyscall);
    private static readonly Lazy<bool> LargeProgram = new(ProbeLargeInstructionLimit);
    private static readonly Lazy<bool> Loops = new(() => Loads([new(0xb7, 0, 0, 0, 10), new(0x17, 0, 0, 0, 1), new(0x55, 0, 0, -2, 0), Exit]));
    private static readonly Lazy<bool> IsaV2 = new(() => Loads([Mov0, new(0xa5, 0, 0, 1, 0), new(0xb7, 0, 0, 0, 1), Exit]));
    private static readonly Lazy<bool> IsaV3 = new(() => Loads([Mov0, new(0xa6, 0, 0, 1, 0), new(0xb7, 0, 0, 0, 1), Exit]));
    private static readonly Lazy<bool> UprobeMulti = new(ProbeUprobeMultiLink);
    private static readonly Lazy<bool> UprobeSyscall = new(ProbeUprobeSyscall);

    private static readonly Instruction Mov0 = new(0xb7, 0, 0, 0, 0);
    private static readonly Instruction Exit = new(0x95, 0, 0, 0, 0);

    /// <summary>The kernel config options bpftool reports, in its order (bpftool 7.1).</summary>
    public static IReadOnlyList<string> ConfigOptions { get; } =
    [
        "CONFIG_BPF", "CONFIG_BPF_SYSCALL", "CONFIG_HAVE_EBPF_JIT", "CONFIG_BPF_JIT", "CONFIG_BPF_JIT_ALWAYS_ON",
        "CONFIG_DEBUG_INFO_BTF", "CONFIG_DEBUG_INFO_BTF_MODULES", "CONFIG_CGROUPS", "CONFIG_CGROUP_BPF",
        "CONFIG_CGROUP_NET_CLASSID", "CONFIG_SOCK_CGROUP_DATA", "CONFIG_BPF_EVENTS", "CONFIG_KPROBE_EVENTS",
        "CONFIG_UPROBE_EVENTS", "CONFIG_TRACING", "CONFIG_FTRACE_SYSCALLS", "CONFIG_FUNCTION_ERROR_INJECTION",
        "CONFIG_BPF_KPROBE_OVERRIDE", "CONFIG_NET", "CONFIG_XDP_SOCKETS", "CONFIG_LWTUNNEL_BPF", "CONFIG_NET_ACT_BPF",
        "CONFIG_NET_CLS_BPF", "CONFIG_NET_CLS_ACT", "CONFIG_NET_SCH_INGRESS", "CONFIG_XFRM", "CONFIG_IP_ROUTE_CLASSID",
        "CONFIG_IPV6_SEG6_BPF", "CONFIG_BPF_LIRC_MODE2", "CONFIG_BPF_STREAM_PARSER", "CONFIG_NETFILTER_XT_MATCH_BPF",
        "CONFIG_BPFILTER", "CONFIG_BPFILTER_UMH", "CONFIG_TEST_BPF", "CONFIG_HZ",
    ];

    /// <summary><c>kernel.unprivileged_bpf_disabled</c> (0 allowed, 1 disabled for good, 2 disabled until an admin changes it), -1 if unreadable.</summary>
    public static long UnprivilegedBpfDisabled => ReadSysctl("/proc/sys/kernel/unprivileged_bpf_disabled");

    /// <summary><c>net.core.bpf_jit_enable</c> (0 off, 1 on, 2 on with debug traces), -1 if unreadable.</summary>
    public static long JitEnable => ReadSysctl("/proc/sys/net/core/bpf_jit_enable");

    /// <summary><c>net.core.bpf_jit_harden</c> (0 off, 1 for unprivileged users, 2 for all), -1 if unreadable.</summary>
    public static long JitHarden => ReadSysctl("/proc/sys/net/core/bpf_jit_harden");

    /// <summary><c>net.core.bpf_jit_kallsyms</c> (0 off, 1 for root), -1 if unreadable.</summary>
    public static long JitKallsyms => ReadSysctl("/proc/sys/net/core/bpf_jit_kallsyms");

    /// <summary><c>net.core.bpf_jit_limit</c>: bytes of JIT memory unprivileged users may use, -1 if unreadable.</summary>
    public static long JitLimit => ReadSysctl("/proc/sys/net/core/bpf_jit_limit");

    /// <summary>Whether the kernel has the <c>bpf()</c> syscall at all (anything but ENOSYS).</summary>
    public static bool HasBpfSyscall => Syscall.Value;

    /// <summary>Whether programs may exceed 4096 instructions (Linux 5.2).</summary>
    public static bool HasLargeInstructionLimit => LargeProgram.Value;

    /// <summary>Whether the verifier accepts bounded loops (Linux 5.3).</summary>
    public static bool HasBoundedLoops => Loops.Value;

    /// <summary>Whether the verifier knows ISA v2 (<c>jlt</c>, <c>jle</c>, <c>jslt</c>, <c>jsle</c>; Linux 4.14).</summary>
    public static bool HasIsaV2 => IsaV2.Value;

    /// <summary>Whether the verifier knows ISA v3 (32-bit jumps; Linux 5.1).</summary>
    public static bool HasIsaV3 => IsaV3.Value;

    /// <summary>
    /// Whether the kernel has uprobe.multi links (<c>BPF_TRACE_UPROBE_MULTI</c>, Linux 6.6) with working PID
    /// filtering, probed as libbpf's <c>FEAT_UPROBE_MULTI_LINK</c>: a link on "/" must fail with EBADF, and one with
    /// pid -1 with EINVAL (the first release accepted it).
    /// </summary>
    public static bool HasUprobeMultiLink => UprobeMulti.Value;

    /// <summary>
    /// Whether the x86-64 <c>uprobe()</c> syscall exists (Linux 6.16): it answers ENXIO outside a uprobe trampoline,
    /// as libbpf's <c>FEAT_UPROBE_SYSCALL</c> probes. With it, a uprobe on a 10-byte NOP is optimised.
    /// </summary>
    public static bool HasUprobeSyscall => UprobeSyscall.Value;

    /// <summary>Whether uprobes can increment a USDT semaphore (<c>ref_ctr_offset</c> in the uprobe PMU's format, Linux 4.20).</summary>
    public static bool HasUprobeReferenceCounter => File.Exists("/sys/bus/event_source/devices/uprobe/format/ref_ctr_offset");

    private static unsafe bool ProbeUprobeMultiLink()
    {
        BpfProgram program;
        try
        {
            program = BpfProgram.Load(BpfProgramType.Kprobe, [Mov0, Exit], "GPL", new BpfProgramLoadOptions { ExpectedAttachType = BpfAttachType.TraceUprobeMulti });
        }
        catch (BpfSyscallException)
        {
            return false;
        }
        using (program)
        {
            using var lease = program.FileDescriptor.Borrow();
            var path = "/\0"u8.ToArray();
            ulong offset = 0;
            fixed (byte* p = path)
            {
                var attr = new LinkCreateAttr
                {
                    ProgFd = (uint)lease.Fd,
                    AttachType = (uint)BpfAttachType.TraceUprobeMulti,
                    UprobeMultiPath = (ulong)p,
                    UprobeMultiOffsets = (ulong)&offset,
                    UprobeMultiCnt = 1,
                };
                var fd = BpfSyscall.TryBpf(BpfCommand.LinkCreate, ref attr);
                if (fd >= 0) LibC.Close(fd);
                if (fd != -Errno.EBADF) return false;
                // The first uprobe.multi release took pid -1 without complaint; fixed kernels answer EINVAL.
                attr.UprobeMultiPid = uint.MaxValue;
                fd = BpfSyscall.TryBpf(BpfCommand.LinkCreate, ref attr);
                if (fd >= 0) LibC.Close(fd);
                return fd == -EINVAL;
            }
        }
    }

    private static unsafe bool ProbeUprobeSyscall()
    {
        if (System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture != System.Runtime.InteropServices.Architecture.X64) return false;
        const int UprobeSyscallNumber = 336, ENXIO = 6;
        return LibC.Syscall(UprobeSyscallNumber, 0, null, 0) < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == ENXIO;
    }

    private static long ReadSysctl(string path)
    {
        try
        {
            return long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : -1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    private static bool ProbeSyscall()
    {
        // A load with an empty attribute: any answer but ENOSYS means the syscall is there.
        var attr = default(ProgLoadAttr);
        return BpfSyscall.TryBpf(BpfCommand.ProgLoad, ref attr) != -ENOSYS;
    }

    private static bool ProbeLargeInstructionLimit()
    {
        // 4097 instructions (BPF_MAXINSNS + 1); before 5.2 the kernel answers E2BIG (or EINVAL).
        var program = new Instruction[4097];
        Array.Fill(program, new Instruction(0xb7, 0, 0, 0, 1));
        program[^1] = Exit;
        try
        {
            using var loaded = BpfProgram.Load(BpfProgramType.SchedCls, program, "GPL");
            return true;
        }
        catch (BpfSyscallException e)
        {
            return e.Errno is not (E2BIG or EINVAL);
        }
    }

    private static bool Loads(Instruction[] program)
    {
        try
        {
            using var loaded = BpfProgram.Load(BpfProgramType.SocketFilter, program, "GPL");
            return true;
        }
        catch (BpfSyscallException)
        {
            return false;
        }
    }

    /// <summary>The running kernel's config (for <see cref="ConfigOptions"/>); empty when no config file exists.</summary>
    public static KernelConfig Config => RunningKernel.Config;
}
