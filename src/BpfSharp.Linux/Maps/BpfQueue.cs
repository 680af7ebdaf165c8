using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BpfSharp.Linux.Maps;

/// <summary>A typed view of a queue (FIFO) or stack (LIFO) map: push, pop and peek without keys.</summary>
/// <typeparam name="TValue">The element type; its size must equal the map's value size.</typeparam>
public sealed class BpfQueue<TValue> : IDisposable where TValue : unmanaged
{
    private readonly bool _ownsMap;

    /// <summary>Wraps a queue or stack map.</summary>
    public BpfQueue(BpfMap map, bool ownsMap = false)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.Type is not (BpfMapType.Queue or BpfMapType.Stack)) throw new ArgumentException($"{map} is not a queue or stack map.", nameof(map));
        if (map.ValueSize != Unsafe.SizeOf<TValue>())
            throw new ArgumentException($"{map}: values have {map.ValueSize} bytes, {typeof(TValue).Name} has {Unsafe.SizeOf<TValue>()}.", nameof(map));
        Map = map;
        _ownsMap = ownsMap;
    }

    /// <summary>Creates a new queue (or stack, with <paramref name="stack"/>) map holding up to <paramref name="maxEntries"/> values; the view owns it.</summary>
    public static BpfQueue<TValue> Create(int maxEntries, bool stack = false, string? name = null) =>
        new(BpfMap.Create(stack ? BpfMapType.Stack : BpfMapType.Queue, 0, Unsafe.SizeOf<TValue>(), maxEntries, name: name), ownsMap: true);

    /// <summary>The underlying map.</summary>
    public BpfMap Map { get; }

    /// <summary>Pushes a value; with <paramref name="overwriteOldest"/> a full map drops its oldest value instead of failing.</summary>
    public void Push(in TValue value, bool overwriteOldest = false) =>
        Map.Push(MemoryMarshal.AsBytes(new ReadOnlySpan<TValue>(in value)), overwriteOldest);

    /// <summary>Pops the next value; false when empty.</summary>
    public bool TryPop(out TValue value)
    {
        value = default;
        return Map.TryPop(MemoryMarshal.AsBytes(new Span<TValue>(ref value)));
    }

    /// <summary>Reads the next value without removing it; false when empty.</summary>
    public bool TryPeek(out TValue value)
    {
        value = default;
        return Map.TryPeek(MemoryMarshal.AsBytes(new Span<TValue>(ref value)));
    }

    /// <summary>Disposes the map if this view owns it.</summary>
    public void Dispose()
    {
        if (_ownsMap) Map.Dispose();
    }
}
