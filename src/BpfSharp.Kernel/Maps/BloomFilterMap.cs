using System.Runtime.CompilerServices;

namespace BpfSharp.Kernel;

/// <summary>
/// A Bloom filter (<c>BPF_MAP_TYPE_BLOOM_FILTER</c>, 5.16+): values are added and tested for membership, with false
/// positives but never false negatives; nothing is removed.
/// </summary>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed unsafe class BloomFilterMap<TValue> : KernelMap
    where TValue : unmanaged
{
    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="maxEntries">The expected number of values (sizes the bit array).</param>
    /// <param name="flags">Map creation flags.</param>
    /// <param name="pinning">Whether the loader pins the map by name.</param>
    public BloomFilterMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    {
    }

    /// <summary>Adds <paramref name="value"/>.</summary>
    /// <returns>0, or a negative errno.</returns>
    public long Add(in TValue value) => Bpf.MapPushElem(this, Unsafe.AsPointer(ref Unsafe.AsRef(in value)), 0);

    /// <summary>True when <paramref name="value"/> may have been added; false when it certainly was not.</summary>
    public bool MayContain(in TValue value) => Bpf.MapPeekElem(this, Unsafe.AsPointer(ref Unsafe.AsRef(in value))) == 0;
}
