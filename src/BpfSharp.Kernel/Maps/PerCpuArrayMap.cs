using System.Runtime.CompilerServices;

namespace BpfSharp.Kernel;

/// <summary>
/// An array map with one value per CPU (<c>BPF_MAP_TYPE_PERCPU_ARRAY</c>, key <c>u32</c>): programs see the current CPU's copy, which makes it a common scratch buffer for values too large for the 512-byte stack. Keys are indices <c>0 … maxEntries − 1</c>; every slot exists from creation, zero-filled, and
/// cannot be deleted.
/// </summary>
/// <typeparam name="TValue">The value type (its size is the map's value size).</typeparam>
public sealed unsafe class PerCpuArrayMap<TValue> : IndexedMap<TValue>
    where TValue : unmanaged
{
    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="maxEntries">The number of slots.</param>
    /// <param name="flags">Map creation flags (e.g. <see cref="MapFlags.Mmapable"/>).</param>
    /// <param name="pinning">Whether the loader pins the map by name.</param>
    public PerCpuArrayMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    {
    }

    /// <summary>The value in slot <paramref name="index"/> on another CPU, or null.</summary>
    /// <param name="index">The slot.</param>
    /// <param name="cpu">The CPU whose copy to return.</param>
    /// <returns>A pointer to that CPU's copy, or null.</returns>
    public TValue* LookupOnCpu(uint index, uint cpu)
    {
        uint key = index;
        return (TValue*)Bpf.MapLookupPercpuElem(this, Unsafe.AsPointer(ref key), cpu);
    }
}
