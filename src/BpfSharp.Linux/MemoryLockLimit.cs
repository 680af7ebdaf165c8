using BpfSharp.Instructions;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux;

/// <summary>
/// Kernels before 5.11 charge BPF maps and programs to <c>RLIMIT_MEMLOCK</c>, whose default (64 KiB to 8 MiB) is
/// too small for real tools; later kernels charge the memory cgroup instead. Like libbpf and cilium/ebpf, the loader
/// raises the limit to infinity once per process, and only where the kernel still charges it.
/// </summary>
public static class MemoryLockLimit
{
    private static readonly Lazy<bool> Accounting = new(ProbeCgroupAccounting);
    private static int s_raised;

    /// <summary>
    /// True when the kernel charges BPF memory to the memory cgroup (5.11+), probed as libbpf does: a socket filter
    /// calling <c>bpf_ktime_get_coarse_ns</c>, the helper that arrived in the same release, loads.
    /// </summary>
    public static bool KernelUsesCgroupAccounting => Accounting.Value;

    /// <summary>Raises <c>RLIMIT_MEMLOCK</c> to infinity if the kernel still charges it (once; failures are ignored, as libbpf does).</summary>
    /// <returns>True if this call raised the limit.</returns>
    public static bool RaiseIfNeeded()
    {
        if (Volatile.Read(ref s_raised) != 0 || KernelUsesCgroupAccounting) return false;
        if (Interlocked.Exchange(ref s_raised, 1) != 0) return false;
        return Raise();
    }

    /// <summary>The current soft and hard limits, in bytes (<see cref="ulong.MaxValue"/> for infinity).</summary>
    public static unsafe (ulong Current, ulong Maximum) Read()
    {
        LibC.ResourceLimit limit;
        if (LibC.GetResourceLimit(LibC.LimitMemoryLock, &limit) != 0) return (0, 0);
        return (limit.Current, limit.Maximum);
    }

    internal static unsafe bool Raise()
    {
        var infinity = new LibC.ResourceLimit { Current = ulong.MaxValue, Maximum = ulong.MaxValue };
        return LibC.SetResourceLimit(LibC.LimitMemoryLock, &infinity) == 0;
    }

    private static bool ProbeCgroupAccounting()
    {
        const int KtimeGetCoarseNs = 160;
        try
        {
            using var probe = BpfProgram.Load(BpfProgramType.SocketFilter,
                [new Instruction(0x85, 0, 0, 0, KtimeGetCoarseNs), new Instruction(0x95, 0, 0, 0, 0)]);
            return true;
        }
        catch (BpfSyscallException)
        {
            return false;
        }
    }
}
