using System.Runtime.CompilerServices;

namespace BpfSharp.Kernel;

/// <summary>
/// A hash map with one value per CPU (<c>BPF_MAP_TYPE_PERCPU_HASH</c>): programs see the current CPU's copy.
/// </summary>
/// <typeparam name="TKey">The key type (its size is the map's key size).</typeparam>
/// <typeparam name="TValue">The value type (its size is the map's value size).</typeparam>
public sealed unsafe class PerCpuHashMap<TKey, TValue> : BpfMap
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

    /// <summary>The value stored under <paramref name="key"/> (the current CPU's copy), or null.</summary>
    /// <param name="key">The key.</param>
    /// <returns>A pointer into the map (writable in place), or null when absent.</returns>
    public TValue* Lookup(in TKey key) =>
        (TValue*)Bpf.MapLookupElem(this, Unsafe.AsPointer(ref Unsafe.AsRef(in key)));

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> (the current CPU's copy).</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="flags">Create, replace or both.</param>
    /// <returns>0, or a negative errno.</returns>
    public long Update(in TKey key, in TValue value, UpdateFlags flags = UpdateFlags.Any) =>
        Bpf.MapUpdateElem(this, Unsafe.AsPointer(ref Unsafe.AsRef(in key)), Unsafe.AsPointer(ref Unsafe.AsRef(in value)), (ulong)flags);

    /// <summary>Removes the entry under <paramref name="key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <returns>0, or a negative errno (<c>-ENOENT</c> when absent).</returns>
    public long Delete(in TKey key) =>
        Bpf.MapDeleteElem(this, Unsafe.AsPointer(ref Unsafe.AsRef(in key)));

    /// <summary>The value stored under <paramref name="key"/> on another CPU, or null.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cpu">The CPU whose copy to return.</param>
    /// <returns>A pointer to that CPU's copy, or null.</returns>
    public TValue* LookupOnCpu(in TKey key, uint cpu) =>
        (TValue*)Bpf.MapLookupPercpuElem(this, Unsafe.AsPointer(ref Unsafe.AsRef(in key)), cpu);
}
