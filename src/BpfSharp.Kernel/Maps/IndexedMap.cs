using System.Runtime.CompilerServices;

namespace BpfSharp.Kernel;

/// <summary>
/// The operations of array maps (<see cref="ArrayMap{TValue}"/>, <see cref="PerCpuArrayMap{TValue}"/>, where a
/// program sees the current CPU's copy): keys are <c>u32</c> indices, every slot exists and cannot be deleted.
/// </summary>
/// <typeparam name="TValue">The value type (its size is the map's value size).</typeparam>
public abstract unsafe class IndexedMap<TValue> : KernelMap
    where TValue : unmanaged
{
    private protected IndexedMap()
    {
    }

    /// <summary>The value in slot <paramref name="index"/>, or null when the index is out of range.</summary>
    /// <param name="index">The slot.</param>
    /// <returns>A pointer into the map (writable in place), or null.</returns>
    public TValue* Lookup(uint index)
    {
        // The helper takes the key's address: give the index a stack slot.
        uint key = index;
        return (TValue*)Bpf.MapLookupElem(this, Unsafe.AsPointer(ref key));
    }

    /// <summary>Stores <paramref name="value"/> in slot <paramref name="index"/>.</summary>
    /// <param name="index">The slot.</param>
    /// <param name="value">The value.</param>
    /// <param name="flags"><see cref="UpdateFlags.Any"/> or <see cref="UpdateFlags.Exist"/> (slots always exist), optionally with <see cref="UpdateFlags.Lock"/>.</param>
    /// <returns>0, or a negative errno.</returns>
    public long Update(uint index, in TValue value, UpdateFlags flags = UpdateFlags.Any)
    {
        uint key = index;
        return Bpf.MapUpdateElem(this, Unsafe.AsPointer(ref key), Unsafe.AsPointer(ref Unsafe.AsRef(in value)), (ulong)flags);
    }
}
