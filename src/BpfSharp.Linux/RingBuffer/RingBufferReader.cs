using System.Runtime.CompilerServices;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.RingBuffer;

/// <summary>Receives one ring buffer record. The span is valid only during the call.</summary>
public delegate void RingBufferRecordHandler(ReadOnlySpan<byte> record);

/// <summary>
/// Consumer of a BPF ring buffer map (<c>BPF_MAP_TYPE_RINGBUF</c>). The consumer page is mapped read-write and
/// the producer page plus data pages read-only; the kernel maps the data area twice in a row, so a record that
/// wraps around the end is still contiguous and is handed out without copying. Records still being written
/// (<c>BPF_RINGBUF_BUSY_BIT</c>) stop consumption until committed; discarded ones (<c>BPF_RINGBUF_DISCARD_BIT</c>)
/// are skipped and counted. Not thread-safe: one thread consumes.
/// </summary>
/// <remarks>
/// The kernel does not count records a program failed to reserve (a full ring); programs that care count their
/// <c>bpf_ringbuf_reserve</c>/<c>bpf_ringbuf_output</c> failures themselves, e.g. in an array map.
/// </remarks>
public sealed unsafe class RingBufferReader : IDisposable
{
    private const uint BusyBit = 1u << 31;
    private const uint DiscardBit = 1u << 30;
    private const int HeaderSize = 8;

    private readonly BpfMap _map;
    private readonly Epoll _epoll;
    private readonly int _pageSize;
    private readonly nuint _producerLength;
    private readonly ulong _mask;
    private byte* _consumer;
    private byte* _producer;
    private byte* _data;

    /// <summary>Maps the ring of <paramref name="map"/> (which must stay open while the reader is used).</summary>
    /// <exception cref="ArgumentException">The map is not a ring buffer.</exception>
    /// <exception cref="IOException">mmap or epoll failed.</exception>
    public RingBufferReader(BpfMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.Type != BpfMapType.RingBuf) throw new ArgumentException($"{map} is not a ring buffer map.", nameof(map));
        _map = map;
        _pageSize = Environment.SystemPageSize;
        var size = (ulong)map.MaxEntries;
        _mask = size - 1;
        _producerLength = (nuint)((ulong)_pageSize + 2 * size);
        using var lease = map.FileDescriptor.Borrow();
        _consumer = (byte*)LibC.Mmap(null, (nuint)_pageSize, LibC.ProtRead | LibC.ProtWrite, LibC.MapShared, lease.Fd, 0);
        if (_consumer == LibC.MapFailed) { _consumer = null; throw MmapFailed("consumer page"); }
        _producer = (byte*)LibC.Mmap(null, _producerLength, LibC.ProtRead, LibC.MapShared, lease.Fd, _pageSize);
        if (_producer == LibC.MapFailed)
        {
            _producer = null;
            var error = MmapFailed("producer and data pages");
            Unmap();
            throw error;
        }
        _data = _producer + _pageSize;
        try
        {
            _epoll = new Epoll(1);
            _epoll.Add(map.FileDescriptor, 0);
        }
        catch
        {
            Unmap();
            throw;
        }
    }

    /// <summary>Records handed to a handler so far.</summary>
    public long ReceivedCount { get; private set; }

    /// <summary>Records the producer discarded (<c>bpf_ringbuf_discard</c>) that were skipped.</summary>
    public long DiscardedCount { get; private set; }

    /// <summary>Bytes committed by producers but not yet consumed.</summary>
    public long PendingBytes => (long)(Volatile.Read(ref *(ulong*)_producer) - Volatile.Read(ref *(ulong*)_consumer));

    /// <summary>The ring's data size in bytes (the map's max_entries).</summary>
    public int Size => _map.MaxEntries;

    /// <summary>
    /// Hands every committed record to <paramref name="handler"/> without waiting and returns how many it got.
    /// No allocation happens per record.
    /// </summary>
    public int Consume(RingBufferRecordHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ObjectDisposedException.ThrowIf(_consumer is null, this);
        var count = 0;
        ref var consumerPos = ref *(ulong*)_consumer;
        ref var producerPos = ref *(ulong*)_producer;
        var consumer = Volatile.Read(ref consumerPos);
        bool progressed;
        do
        {
            progressed = false;
            var producer = Volatile.Read(ref producerPos);
            while (consumer < producer)
            {
                var record = _data + (consumer & _mask);
                var header = Volatile.Read(ref *(uint*)record);
                if ((header & BusyBit) != 0) { producer = consumer; break; }
                var length = header & ~(BusyBit | DiscardBit);
                var next = consumer + ((length + HeaderSize + 7) & ~7u);
                try
                {
                    if ((header & DiscardBit) == 0)
                    {
                        ReceivedCount++;
                        count++;
                        handler(new ReadOnlySpan<byte>(record + HeaderSize, (int)length));
                    }
                    else
                    {
                        DiscardedCount++;
                    }
                }
                finally
                {
                    // Released only after the handler is done with the bytes, so the producer cannot reuse them earlier.
                    consumer = next;
                    Volatile.Write(ref consumerPos, consumer);
                }
                progressed = true;
            }
        } while (progressed);
        return count;
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> (-1 = forever) for data, then consumes like
    /// <see cref="Consume"/>. Returns the number of records handled (0 on timeout).
    /// </summary>
    public int Poll(int timeoutMilliseconds, RingBufferRecordHandler handler)
    {
        var count = Consume(handler);
        if (count > 0) return count;
        _epoll.Wait(timeoutMilliseconds);
        return Consume(handler);
    }

    /// <summary>
    /// Streams records as copies until <paramref name="cancellationToken"/> is cancelled. Each record is a fresh
    /// array, so this path allocates per record; use <see cref="Poll"/> with a handler for the allocation-free path.
    /// </summary>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var batch = new List<byte[]>();
        RingBufferRecordHandler collect = record => batch.Add(record.ToArray());
        while (!cancellationToken.IsCancellationRequested)
        {
            batch.Clear();
            if (Consume(collect) == 0)
            {
                // Wait off the caller's thread in short slices so cancellation is noticed promptly.
                await Task.Run(() => _epoll.Wait(100), CancellationToken.None).ConfigureAwait(false);
                continue;
            }
            foreach (var record in batch)
                yield return record;
        }
    }

    /// <summary>Unmaps the ring and closes the epoll fd (the map itself is not disposed).</summary>
    public void Dispose()
    {
        if (_consumer is null && _producer is null) return;
        Unmap();
        _epoll?.Dispose();
    }

    private void Unmap()
    {
        if (_producer is not null) LibC.Munmap(_producer, _producerLength);
        if (_consumer is not null) LibC.Munmap(_consumer, (nuint)_pageSize);
        _producer = null;
        _consumer = null;
        _data = null;
    }

    private static IOException MmapFailed(string what) =>
        new($"mmap of the ring buffer's {what} failed: {Errno.Name(System.Runtime.InteropServices.Marshal.GetLastPInvokeError())}");
}
