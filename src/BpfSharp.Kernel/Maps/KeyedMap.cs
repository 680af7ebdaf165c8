using System.Runtime.CompilerServices;

namespace BpfSharp.Kernel;

/// <summary>
/// The operations every keyed map shares (<see cref="HashMap{TKey, TValue}"/>, <see cref="LruHashMap{TKey, TValue}"/>
/// and their per-CPU forms, where a program sees the current CPU's copy).
/// </summary>
/// <typeparam name="TKey">The key type (its size is the map's key size).</typeparam>
/// <typeparam name="TValue">The value type (its size is the map's value size).</typeparam>
public abstract unsafe class KeyedMap<TKey, TValue> : KernelMap
    where TKey : unmanaged
    where TValue : unmanaged
{
    private protected KeyedMap()
    {
    }

    /// <summary>The value stored under <paramref name="key"/>, or null.</summary>
    /// <param name="key">The key.</param>
    /// <returns>A pointer into the map (writable in place), or null when absent.</returns>
    public TValue* Lookup(in TKey key) =>
        (TValue*)Bpf.MapLookupElem(this, Unsafe.AsPointer(ref Unsafe.AsRef(in key)));

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>.</summary>
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
}
