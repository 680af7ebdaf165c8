using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Maps;

/// <summary>
/// A typed view of a <see cref="BpfMap"/> whose keys and values are plain structs. Per-CPU maps store one value
/// per possible CPU, each padded to 8 bytes in the kernel's buffer; the per-CPU methods take and return one
/// <typeparamref name="TValue"/> per CPU and do the padding. The view does not own the map unless created with
/// <c>ownsMap: true</c>.
/// </summary>
/// <typeparam name="TKey">The key type; its size must equal the map's key size.</typeparam>
/// <typeparam name="TValue">The value type; its size must equal the map's value size.</typeparam>
public sealed class BpfMap<TKey, TValue> : IDisposable where TKey : unmanaged where TValue : unmanaged
{
    private readonly bool _ownsMap;
    private readonly int _perCpuStride;

    /// <summary>Wraps <paramref name="map"/>, checking that the key and value sizes match the types.</summary>
    /// <exception cref="ArgumentException">The sizes do not match.</exception>
    public BpfMap(BpfMap map, bool ownsMap = false)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.KeySize != Unsafe.SizeOf<TKey>())
            throw new ArgumentException($"{map}: keys have {map.KeySize} bytes, {typeof(TKey).Name} has {Unsafe.SizeOf<TKey>()}.", nameof(map));
        if (map.ValueSize != Unsafe.SizeOf<TValue>())
            throw new ArgumentException($"{map}: values have {map.ValueSize} bytes, {typeof(TValue).Name} has {Unsafe.SizeOf<TValue>()}.", nameof(map));
        Map = map;
        _ownsMap = ownsMap;
        IsPerCpu = map.ValueBufferSize != map.ValueSize || map.Type is BpfMapType.PerCpuArray or BpfMapType.PerCpuHash or BpfMapType.LruPerCpuHash or BpfMapType.PerCpuCgroupStorage;
        _perCpuStride = (map.ValueSize + 7) & ~7;
    }

    /// <summary>Creates a new map of the given type sized for <typeparamref name="TKey"/> and <typeparamref name="TValue"/>; the view owns it.</summary>
    public static BpfMap<TKey, TValue> Create(BpfMapType type, int maxEntries, BpfMapFlags flags = BpfMapFlags.None, string? name = null) =>
        new(BpfMap.Create(type, Unsafe.SizeOf<TKey>(), Unsafe.SizeOf<TValue>(), maxEntries, flags, name), ownsMap: true);

    /// <summary>The underlying map.</summary>
    public BpfMap Map { get; }

    /// <summary>True for per-CPU map types (use the <c>PerCpu</c> methods).</summary>
    public bool IsPerCpu { get; }

    /// <summary>The number of values a per-CPU lookup returns (possible CPUs).</summary>
    public static int PossibleCpuCount => PossibleCpus.Count;

    /// <summary>Reads the value under <paramref name="key"/>; false if absent.</summary>
    public bool TryLookup(in TKey key, out TValue value)
    {
        CheckNotPerCpu();
        value = default;
        return Map.TryLookup(AsBytes(in key), MemoryMarshal.AsBytes(new Span<TValue>(ref value)));
    }

    /// <summary>The value under <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">The key is absent.</exception>
    public TValue this[in TKey key]
    {
        get => TryLookup(in key, out var value) ? value : throw new KeyNotFoundException($"{Map}: key not found");
    }

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>.</summary>
    public void Update(in TKey key, in TValue value, BpfMapUpdateFlags flags = BpfMapUpdateFlags.Any)
    {
        CheckNotPerCpu();
        Map.Update(AsBytes(in key), MemoryMarshal.AsBytes(new ReadOnlySpan<TValue>(in value)), flags);
    }

    /// <summary>Removes <paramref name="key"/>; false if it was absent.</summary>
    public bool Delete(in TKey key) => Map.Delete(AsBytes(in key));

    /// <summary>
    /// Reads the per-CPU values under <paramref name="key"/> into <paramref name="values"/> (at least
    /// <see cref="PossibleCpuCount"/> long, index = CPU). False if the key is absent.
    /// </summary>
    public bool TryLookupPerCpu(in TKey key, Span<TValue> values)
    {
        CheckPerCpu();
        var cpus = PossibleCpus.Count;
        if (values.Length < cpus) throw new ArgumentException($"Need room for {cpus} per-CPU values.", nameof(values));
        var buffer = new byte[Map.ValueBufferSize];
        if (!Map.TryLookup(AsBytes(in key), buffer)) return false;
        for (var cpu = 0; cpu < cpus; cpu++)
            values[cpu] = MemoryMarshal.Read<TValue>(buffer.AsSpan(cpu * _perCpuStride, Map.ValueSize));
        return true;
    }

    /// <summary>The per-CPU values under <paramref name="key"/> (index = CPU), or null if absent.</summary>
    public TValue[]? LookupPerCpu(in TKey key)
    {
        var values = new TValue[PossibleCpus.Count];
        return TryLookupPerCpu(in key, values) ? values : null;
    }

    /// <summary>Stores one value per possible CPU under <paramref name="key"/>.</summary>
    public void UpdatePerCpu(in TKey key, ReadOnlySpan<TValue> values, BpfMapUpdateFlags flags = BpfMapUpdateFlags.Any)
    {
        CheckPerCpu();
        var cpus = PossibleCpus.Count;
        if (values.Length != cpus) throw new ArgumentException($"Need exactly {cpus} per-CPU values.", nameof(values));
        var buffer = new byte[Map.ValueBufferSize];
        for (var cpu = 0; cpu < cpus; cpu++)
            MemoryMarshal.Write(buffer.AsSpan(cpu * _perCpuStride), in values[cpu]);
        Map.Update(AsBytes(in key), buffer, flags);
    }

    /// <summary>
    /// The keys in kernel iteration order (<c>BPF_MAP_GET_NEXT_KEY</c>). Changing the map while iterating may
    /// skip or repeat keys, as with bpftool.
    /// </summary>
    public IEnumerable<TKey> Keys
    {
        get => TypedKeys.Enumerate<TKey>(Map);
    }

    /// <summary>Key/value pairs (not for per-CPU maps); keys deleted during iteration are skipped.</summary>
    public IEnumerable<KeyValuePair<TKey, TValue>> Entries
    {
        get
        {
            foreach (var key in Keys)
                if (TryLookup(in key, out var value)) yield return new(key, value);
        }
    }

    /// <summary>
    /// Reads up to <c>keys.Length</c> entries in one syscall (<c>BPF_MAP_LOOKUP_BATCH</c>). Returns how many were
    /// read; <paramref name="done"/> turns true at the end. Start with a default <paramref name="cursor"/>.
    /// </summary>
    public int LookupBatch(ref BpfMapBatchCursor cursor, Span<TKey> keys, Span<TValue> values, out bool done)
    {
        CheckNotPerCpu();
        if (values.Length < keys.Length) throw new ArgumentException("Need one value slot per key slot.", nameof(values));
        return Map.LookupBatch(ref cursor, MemoryMarshal.AsBytes(keys), MemoryMarshal.AsBytes(values), out done);
    }

    /// <summary>Every entry through batch lookups of <paramref name="batchSize"/> entries (not for per-CPU maps).</summary>
    public List<KeyValuePair<TKey, TValue>> LookupAllBatched(int batchSize = 256)
    {
        var result = new List<KeyValuePair<TKey, TValue>>();
        var keys = new TKey[batchSize];
        var values = new TValue[batchSize];
        var cursor = default(BpfMapBatchCursor);
        bool done;
        do
        {
            var count = LookupBatch(ref cursor, keys, values, out done);
            for (var i = 0; i < count; i++) result.Add(new(keys[i], values[i]));
        } while (!done);
        return result;
    }

    /// <summary>Disposes the underlying map if this view owns it.</summary>
    public void Dispose()
    {
        if (_ownsMap) Map.Dispose();
    }

    private static ReadOnlySpan<byte> AsBytes(in TKey key) => MemoryMarshal.AsBytes(new ReadOnlySpan<TKey>(in key));

    private void CheckPerCpu()
    {
        if (!IsPerCpu) throw new InvalidOperationException($"{Map.Type} is not a per-CPU map.");
    }

    private void CheckNotPerCpu()
    {
        if (IsPerCpu) throw new InvalidOperationException($"{Map.Type} is a per-CPU map: use the PerCpu methods.");
    }
}

/// <summary>A map's keys as typed values, walked with <c>BPF_MAP_GET_NEXT_KEY</c> (for the typed map views).</summary>
internal static class TypedKeys
{
    public static IEnumerable<TKey> Enumerate<TKey>(BpfMap map) where TKey : unmanaged
    {
        var current = default(TKey);
        var next = default(TKey);
        var first = true;
        while (true)
        {
            var found = first
                ? map.TryGetNextKey(ReadOnlySpan<byte>.Empty, MemoryMarshal.AsBytes(new Span<TKey>(ref next)))
                : map.TryGetNextKey(MemoryMarshal.AsBytes(new ReadOnlySpan<TKey>(in current)), MemoryMarshal.AsBytes(new Span<TKey>(ref next)));
            if (!found) yield break;
            first = false;
            current = next;
            yield return current;
        }
    }
}
