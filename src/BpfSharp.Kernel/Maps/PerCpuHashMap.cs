namespace BpfSharp.Kernel;

/// <summary>
/// A hash map with one value per CPU (<c>BPF_MAP_TYPE_PERCPU_HASH</c>): programs see the current CPU's copy.
/// </summary>
/// <typeparam name="TKey">The key type (its size is the map's key size).</typeparam>
/// <typeparam name="TValue">The value type (its size is the map's value size).</typeparam>
public sealed unsafe class PerCpuHashMap<TKey, TValue> : PerCpuKeyedMap<TKey, TValue>
    where TKey : unmanaged
    where TValue : unmanaged
{
    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="maxEntries">The maximum number of entries.</param>
    /// <param name="flags">Map creation flags.</param>
    /// <param name="pinning">Whether the loader pins the map by name.</param>
    public PerCpuHashMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    {
    }
}
