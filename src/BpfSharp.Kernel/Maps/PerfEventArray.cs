using System.Runtime.CompilerServices;

namespace BpfSharp.Kernel;

/// <summary>
/// A perf event array (<c>BPF_MAP_TYPE_PERF_EVENT_ARRAY</c>, key and value <c>u32</c>): one perf ring buffer per
/// CPU that user space reads. Prefer <see cref="RingBuffer"/> on kernels from 5.8.
/// </summary>
public sealed unsafe class PerfEventArray : KernelMap
{
    /// <summary><c>BPF_F_CURRENT_CPU</c>: the flags value that selects the current CPU's buffer.</summary>
    public const ulong CurrentCpu = 0xFFFF_FFFF;

    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="maxEntries">The number of slots; 0 lets the loader use the number of possible CPUs.</param>
    /// <param name="flags">Map creation flags (e.g. <see cref="MapFlags.PreserveElems"/>).</param>
    /// <param name="pinning">Whether the loader pins the map by name.</param>
    public PerfEventArray(uint maxEntries = 0, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    {
    }

    /// <summary>Writes <paramref name="data"/> as one record to the current CPU's buffer.</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="ctx">The program's context.</param>
    /// <param name="data">The record.</param>
    /// <returns>0, or a negative errno.</returns>
    public long Output<T>(void* ctx, in T data) where T : unmanaged =>
        Bpf.PerfEventOutput(ctx, this, CurrentCpu, Unsafe.AsPointer(ref Unsafe.AsRef(in data)), (ulong)sizeof(T));

    /// <summary>Writes <paramref name="size"/> bytes as one record.</summary>
    /// <param name="ctx">The program's context.</param>
    /// <param name="data">The record.</param>
    /// <param name="size">Its size in bytes.</param>
    /// <param name="flags">The CPU index, or <see cref="CurrentCpu"/>.</param>
    /// <returns>0, or a negative errno.</returns>
    public long Output(void* ctx, void* data, ulong size, ulong flags = CurrentCpu) =>
        Bpf.PerfEventOutput(ctx, this, flags, data, size);
}
