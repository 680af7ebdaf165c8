using System.Buffers.Binary;
using System.Diagnostics.Metrics;
using System.Globalization;
using BpfSharp.Linux;

namespace BpfSharp.Observability;

/// <summary>
/// Counters, gauges and log2 histograms kept in BPF maps, published as <see cref="System.Diagnostics.Metrics"/>
/// instruments on one <see cref="Meter"/>: dotnet-counters, OpenTelemetry and Prometheus exporters read them with no
/// glue. Every instrument is observable: the map is read when a listener collects, per-CPU values are summed.
/// Values are 4- or 8-byte unsigned integers at offset 0 of an array, per-CPU array, hash or per-CPU hash map
/// value.
/// </summary>
public sealed class BpfMetrics : IDisposable
{
    /// <summary>Creates the meter that will hold the instruments.</summary>
    /// <param name="meterName">The meter's name (what <c>dotnet-counters --counters</c> and OpenTelemetry's <c>AddMeter</c> select).</param>
    /// <param name="version">The meter's version, or null.</param>
    public BpfMetrics(string meterName, string? version = null) => Meter = new Meter(meterName, version);

    /// <summary>The meter the instruments belong to.</summary>
    public Meter Meter { get; }

    /// <summary>A monotonic counter: the value at <paramref name="key"/> (summed over CPUs for per-CPU maps).</summary>
    /// <param name="map">The map.</param>
    /// <param name="key">The array index or 4-byte hash key.</param>
    /// <param name="name">The instrument's name.</param>
    /// <param name="unit">Its unit (UCUM, e.g. <c>{packet}</c>, <c>By</c>), or null.</param>
    /// <param name="description">Its description, or null.</param>
    /// <returns>The instrument.</returns>
    public ObservableCounter<long> AddCounter(BpfMap map, uint key, string name, string? unit = null, string? description = null) =>
        Meter.CreateObservableCounter(name, () => (long)ReadSum(map, key), unit, description);

    /// <summary>A gauge: the value at <paramref name="key"/> (summed over CPUs for per-CPU maps).</summary>
    /// <param name="map">The map.</param>
    /// <param name="key">The array index or 4-byte hash key.</param>
    /// <param name="name">The instrument's name.</param>
    /// <param name="unit">Its unit, or null.</param>
    /// <param name="description">Its description, or null.</param>
    /// <returns>The instrument.</returns>
    public ObservableGauge<long> AddGauge(BpfMap map, uint key, string name, string? unit = null, string? description = null) =>
        Meter.CreateObservableGauge(name, () => (long)ReadSum(map, key), unit, description);

    /// <summary>
    /// A log2 histogram: <paramref name="map"/> is an array (or per-CPU array) whose slot <c>i</c> counts values
    /// <c>v</c> with <c>floor(log2(v)) == i</c> (slot 0 also counts 0), the layout of bcc/libbpf-tools' <c>hist</c>.
    /// Published as a counter with one measurement per bucket, cumulative and tagged <c>le</c> with the bucket's
    /// inclusive upper bound (<c>2^(i+1) - 1</c>; <c>+Inf</c> for the total), as Prometheus histograms are.
    /// </summary>
    /// <param name="map">The array of bucket counts.</param>
    /// <param name="name">The instrument's name.</param>
    /// <param name="unit">The unit of the values counted (e.g. <c>us</c>), or null.</param>
    /// <param name="description">Its description, or null.</param>
    /// <returns>The instrument.</returns>
    public ObservableCounter<long> AddLog2Histogram(BpfMap map, string name, string? unit = null, string? description = null) =>
        Meter.CreateObservableCounter(name, () => HistogramMeasurements(ReadLog2Histogram(map)), unit, description);

    /// <summary>The bucket counts of a log2 histogram map, summed over CPUs: element <c>i</c> counts [2^i, 2^(i+1)).</summary>
    /// <param name="map">The array of bucket counts.</param>
    /// <returns>One count per slot.</returns>
    public static ulong[] ReadLog2Histogram(BpfMap map)
    {
        var counts = new ulong[map.MaxEntries];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = ReadSum(map, (uint)i);
        }

        return counts;
    }

    /// <summary>The cumulative bucket measurements a log2 histogram publishes (empty top buckets left out).</summary>
    /// <param name="counts">The bucket counts, as <see cref="ReadLog2Histogram"/> returns them.</param>
    /// <returns>One measurement per bucket up to the highest non-empty one, then <c>le=+Inf</c>.</returns>
    public static IEnumerable<Measurement<long>> HistogramMeasurements(IReadOnlyList<ulong> counts)
    {
        var last = counts.Count - 1;
        while (last >= 0 && counts[last] == 0)
        {
            last--;
        }

        long cumulative = 0;
        var result = new List<Measurement<long>>(last + 2);
        for (var i = 0; i <= last; i++)
        {
            cumulative += (long)counts[i];
            var upper = i >= 63 ? ulong.MaxValue : (1UL << (i + 1)) - 1;
            result.Add(new Measurement<long>(cumulative, new KeyValuePair<string, object?>("le", upper.ToString(CultureInfo.InvariantCulture))));
        }

        result.Add(new Measurement<long>(cumulative, new KeyValuePair<string, object?>("le", "+Inf")));
        return result;
    }

    /// <summary>The unsigned value at offset 0 of the value under <paramref name="key"/>, summed over CPUs; 0 if absent.</summary>
    /// <param name="map">An array, per-CPU array, hash or per-CPU hash map with 4-byte keys and 4- or 8-byte counters.</param>
    /// <param name="key">The key.</param>
    /// <returns>The sum.</returns>
    public static ulong ReadSum(BpfMap map, uint key)
    {
        if (map.KeySize != 4 || map.ValueSize is < 4 or (> 4 and < 8))
        {
            throw new ArgumentException($"map '{map.Name}' has {map.KeySize}-byte keys and {map.ValueSize}-byte values; counters need 4-byte keys and 4- or 8-byte values", nameof(map));
        }

        Span<byte> keyBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(keyBytes, key);
        var buffer = new byte[map.ValueBufferSize];
        if (!map.TryLookup(keyBytes, buffer))
        {
            return 0;
        }

        var perCpu = map.ValueBufferSize != map.ValueSize;
        var stride = perCpu ? (map.ValueSize + 7) & ~7 : map.ValueSize;
        ulong sum = 0;
        for (var at = 0; at + stride <= buffer.Length; at += stride)
        {
            sum += map.ValueSize == 4
                ? BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(at))
                : BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(at));
        }

        return sum;
    }

    /// <summary>Disposes the meter (listeners stop seeing the instruments).</summary>
    public void Dispose() => Meter.Dispose();
}
