using System.Runtime.CompilerServices;

namespace BpfSharp.Kernel;

/// <summary>Keyed maps with one value per CPU: <see cref="PerCpuHashMap{TKey, TValue}"/> and
/// <see cref="LruPerCpuHashMap{TKey, TValue}"/>.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type (one copy per CPU).</typeparam>
public abstract unsafe class PerCpuKeyedMap<TKey, TValue> : KeyedMap<TKey, TValue>
    where TKey : unmanaged
    where TValue : unmanaged
{
    private protected PerCpuKeyedMap()
    {
    }

    /// <summary>The value stored under <paramref name="key"/> on another CPU, or null.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cpu">The CPU whose copy to return.</param>
    /// <returns>A pointer to that CPU's copy, or null.</returns>
    public TValue* LookupOnCpu(in TKey key, uint cpu) =>
        (TValue*)Bpf.MapLookupPercpuElem(this, Unsafe.AsPointer(ref Unsafe.AsRef(in key)), cpu);
}
