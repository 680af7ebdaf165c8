using System.Runtime.InteropServices;

namespace BpfSharp.Tests.CompilerTwins;

/// <summary>Pins the calling thread to the CPU it runs on (sched_setaffinity) until disposed, then restores its mask.</summary>
internal sealed partial class CpuPin : IDisposable
{
    private const int MaskBytes = 128; // 1024 CPUs
    private readonly byte[] _original = new byte[MaskBytes];

    private CpuPin()
    {
        if (SchedGetAffinity(0, MaskBytes, _original) < 0)
            throw new InvalidOperationException($"sched_getaffinity failed: errno {Marshal.GetLastPInvokeError()}");
        int cpu = SchedGetCpu();
        var mask = new byte[MaskBytes];
        mask[cpu / 8] = (byte)(1 << (cpu % 8));
        if (SchedSetAffinity(0, MaskBytes, mask) < 0)
            throw new InvalidOperationException($"sched_setaffinity failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Pins the current thread.</summary>
    public static CpuPin ToCurrentCpu() => new();

    /// <summary>Restores the thread's original CPU mask.</summary>
    public void Dispose() => SchedSetAffinity(0, MaskBytes, _original);

    [LibraryImport("libc", EntryPoint = "sched_getaffinity", SetLastError = true)]
    private static partial int SchedGetAffinity(int pid, nuint size, byte[] mask);

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int SchedSetAffinity(int pid, nuint size, byte[] mask);

    [LibraryImport("libc", EntryPoint = "sched_getcpu")]
    private static partial int SchedGetCpu();
}
