namespace BpfSharp.Kernel;

/// <summary>
/// An array map (<c>BPF_MAP_TYPE_ARRAY</c>, key <c>u32</c>). Keys are indices <c>0 … maxEntries − 1</c>; every slot exists from creation, zero-filled, and
/// cannot be deleted.
/// </summary>
/// <typeparam name="TValue">The value type (its size is the map's value size).</typeparam>
public sealed unsafe class ArrayMap<TValue> : IndexedMap<TValue>
    where TValue : unmanaged
{
    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="maxEntries">The number of slots.</param>
    /// <param name="flags">Map creation flags (e.g. <see cref="MapFlags.Mmapable"/>).</param>
    /// <param name="pinning">Whether the loader pins the map by name.</param>
    public ArrayMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    {
    }
}
