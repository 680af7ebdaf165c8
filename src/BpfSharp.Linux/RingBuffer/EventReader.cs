using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BpfSharp.Linux.Features;

namespace BpfSharp.Linux.RingBuffer;

/// <summary>Receives one record read as a <typeparamref name="T"/> (a copy; valid after the call).</summary>
public delegate void EventRecordHandler<T>(in T record) where T : unmanaged;

/// <summary>Reads ring buffer and perf buffer records as structs.</summary>
public static class EventRecords
{
    /// <summary>
    /// The record's first <c>sizeof(T)</c> bytes as a <typeparamref name="T"/>. Perf samples are padded to 8 bytes,
    /// so a record may be longer than the struct; a shorter one is an error (the BPF and .NET layouts disagree).
    /// </summary>
    /// <exception cref="InvalidDataException">The record is shorter than <typeparamref name="T"/>.</exception>
    public static T Read<T>(ReadOnlySpan<byte> record) where T : unmanaged
    {
        if (record.Length < Unsafe.SizeOf<T>())
            throw new InvalidDataException($"a {record.Length}-byte record is shorter than {typeof(T).Name} ({Unsafe.SizeOf<T>()} bytes): the BPF program's record layout differs from the struct");
        return MemoryMarshal.Read<T>(record);
    }
}

/// <summary>
/// Reads several event maps with one wait: any number of ring buffers (<c>BPF_MAP_TYPE_RINGBUF</c>) and perf
/// buffers (<c>BPF_MAP_TYPE_PERF_EVENT_ARRAY</c>), each with its own handler, behind a single epoll (every
/// reader's own epoll fd is watched by this one). <see cref="Add(BpfMap, RingBufferRecordHandler, int)"/> picks
/// the reader from the map's type, so a tool that falls back from a ring buffer to a perf buffer on an older
/// kernel (<see cref="RingBufferSupported"/>) reads both the same way. One thread polls at a time;
/// <see cref="Dispose"/> closes every reader (not the maps).
/// </summary>
public sealed class EventReader : IDisposable
{
    private readonly List<Source> _sources = [];
    private readonly Epoll _epoll;

    /// <summary>Creates a reader with no maps yet.</summary>
    public EventReader() => _epoll = new Epoll(16);

    /// <summary>Whether the running kernel has ring buffer maps (5.8+); perf buffers are the fallback.</summary>
    public static bool RingBufferSupported => BpfFeatureProbes.MapType(BpfMapType.RingBuf);

    /// <summary>Records handed to handlers so far, over every map.</summary>
    public long ReceivedCount => _sources.Sum(s => s.Ring?.ReceivedCount ?? s.Perf!.ReceivedCount);

    /// <summary>Samples perf buffers lost because a CPU's ring was full (ring buffers do not count theirs).</summary>
    public long LostCount => _sources.Sum(s => s.Perf?.LostCount ?? 0);

    /// <summary>
    /// Reads <paramref name="map"/> (a ring buffer or a perf event array) into <paramref name="handler"/>;
    /// <paramref name="pagesPerCpu"/> sizes a perf buffer's per-CPU rings.
    /// </summary>
    /// <exception cref="ArgumentException">The map is neither a ring buffer nor a perf event array.</exception>
    public void Add(BpfMap map, RingBufferRecordHandler handler, int pagesPerCpu = 64)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(handler);
        Source source = map.Type switch
        {
            BpfMapType.RingBuf => new Source(new RingBufferReader(map), null, handler),
            BpfMapType.PerfEventArray => new Source(null, new PerfBufferReader(map, pagesPerCpu), handler),
            _ => throw new ArgumentException($"{map} is neither a ring buffer nor a perf event array", nameof(map)),
        };
        try
        {
            _epoll.Add(source.Ring?.PollDescriptor ?? source.Perf!.PollDescriptor, (ulong)_sources.Count);
        }
        catch
        {
            source.Dispose();
            throw;
        }
        _sources.Add(source);
    }

    /// <summary>Reads <paramref name="map"/>'s records as <typeparamref name="T"/> (see <see cref="EventRecords.Read{T}"/>).</summary>
    public void Add<T>(BpfMap map, EventRecordHandler<T> handler, int pagesPerCpu = 64) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(handler);
        Add(map, record =>
        {
            var value = EventRecords.Read<T>(record);
            handler(in value);
        }, pagesPerCpu);
    }

    /// <summary>Handles every pending record of every map without waiting; returns how many.</summary>
    public int Consume()
    {
        var count = 0;
        for (var i = 0; i < _sources.Count; i++) count += _sources[i].Consume();
        return count;
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> (-1 = forever) until some map has records, then handles
    /// those maps' records; returns how many (0 on timeout).
    /// </summary>
    public int Poll(int timeoutMilliseconds)
    {
        var ready = _epoll.Wait(timeoutMilliseconds);
        var count = 0;
        for (var i = 0; i < ready; i++)
        {
            var token = _epoll.Token(i);
            if (token != Epoll.WakeToken && token < (ulong)_sources.Count) count += _sources[(int)token].Consume();
        }
        return count;
    }

    /// <summary>Polls until <paramref name="cancellationToken"/> is cancelled, in slices of <paramref name="sliceMilliseconds"/>.</summary>
    public void Run(CancellationToken cancellationToken, int sliceMilliseconds = 100)
    {
        while (!cancellationToken.IsCancellationRequested) Poll(sliceMilliseconds);
    }

    /// <summary>Closes every reader and the epoll fd; the maps stay open.</summary>
    public void Dispose()
    {
        foreach (var source in _sources) source.Dispose();
        _sources.Clear();
        _epoll.Dispose();
    }

    private sealed class Source(RingBufferReader? ring, PerfBufferReader? perf, RingBufferRecordHandler handler) : IDisposable
    {
        private readonly PerfRecordHandler? _perfHandler = perf is null ? null : (_, record) => handler(record);

        public RingBufferReader? Ring { get; } = ring;
        public PerfBufferReader? Perf { get; } = perf;

        public int Consume() => Ring is not null ? Ring.Consume(handler) : Perf!.Consume(_perfHandler!);

        public void Dispose()
        {
            Ring?.Dispose();
            Perf?.Dispose();
        }
    }
}
