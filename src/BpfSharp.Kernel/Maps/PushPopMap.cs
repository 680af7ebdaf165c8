using System.Runtime.CompilerServices;

namespace BpfSharp.Kernel;

/// <summary>The operations queues and stacks share: values in, values out, no keys.</summary>
/// <typeparam name="TValue">The value type.</typeparam>
public abstract unsafe class PushPopMap<TValue> : KernelMap
    where TValue : unmanaged
{
    private protected PushPopMap()
    {
    }

    /// <summary>Adds <paramref name="value"/>.</summary>
    /// <param name="value">The value.</param>
    /// <param name="flags"><see cref="UpdateFlags.Exist"/> (<c>BPF_EXIST</c>) drops the oldest value when full.</param>
    /// <returns>0, or a negative errno (<c>-E2BIG</c> when full).</returns>
    public long Push(in TValue value, UpdateFlags flags = UpdateFlags.Any) =>
        Bpf.MapPushElem(this, Unsafe.AsPointer(ref Unsafe.AsRef(in value)), (ulong)flags);

    /// <summary>Takes the next value out.</summary>
    /// <param name="value">Receives the value.</param>
    /// <returns>0, or a negative errno (<c>-ENOENT</c> when empty).</returns>
    public long Pop(out TValue value)
    {
        value = default;
        return Bpf.MapPopElem(this, Unsafe.AsPointer(ref value));
    }

    /// <summary>Reads the next value without taking it out.</summary>
    /// <param name="value">Receives the value.</param>
    /// <returns>0, or a negative errno (<c>-ENOENT</c> when empty).</returns>
    public long Peek(out TValue value)
    {
        value = default;
        return Bpf.MapPeekElem(this, Unsafe.AsPointer(ref value));
    }
}

/// <summary>A FIFO queue (<c>BPF_MAP_TYPE_QUEUE</c>, no key).</summary>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed class QueueMap<TValue> : PushPopMap<TValue>
    where TValue : unmanaged
{
    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="maxEntries">The capacity.</param>
    /// <param name="flags">Map creation flags.</param>
    /// <param name="pinning">Whether the loader pins the map by name.</param>
    public QueueMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    {
    }
}

/// <summary>A LIFO stack (<c>BPF_MAP_TYPE_STACK</c>, no key).</summary>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed class StackMap<TValue> : PushPopMap<TValue>
    where TValue : unmanaged
{
    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="maxEntries">The capacity.</param>
    /// <param name="flags">Map creation flags.</param>
    /// <param name="pinning">Whether the loader pins the map by name.</param>
    public StackMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    {
    }
}
