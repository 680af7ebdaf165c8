using System.Runtime.CompilerServices;
using BpfSharp.Linux.Interop;
using static BpfSharp.Linux.RingBuffer.RingPages;

namespace BpfSharp.Linux.RingBuffer;

/// <summary>Receives one ring buffer record. The span is valid only during the call.</summary>
public delegate void RingBufferRecordHandler(ReadOnlySpan<byte> record);

/// <summary>
/// Consumer of a BPF ring buffer map (<c>BPF_MAP_TYPE_RINGBUF</c>). The consumer page is mapped read-write and
/// the producer page plus data pages read-only; the kernel maps the data area twice in a row, so a record that
/// wraps around the end is still contiguous and is handed out without copying. Records still being written
/// (<c>BPF_RINGBUF_BUSY_BIT</c>) stop consumption until committed; discarded ones (<c>BPF_RINGBUF_DISCARD_BIT</c>)
/// are skipped and counted. One thread consumes at a time; <see cref="Dispose"/> may come from any thread, even
/// while another is inside <see cref="Poll(int, RingBufferRecordHandler)"/> or <c>Consume</c>: it wakes a blocked
/// wait, that call returns what it has, the ring is unmapped when it leaves, and later calls throw
/// <see cref="ObjectDisposedException"/>.
/// </summary>
/// <remarks>
/// The kernel does not count records a program failed to reserve (a full ring); programs that care count their
/// <c>bpf_ringbuf_reserve</c>/<c>bpf_ringbuf_output</c> failures themselves, e.g. in an array map.
/// </remarks>
public sealed unsafe class RingBufferReader : IDisposable
{
    private readonly BpfMap _map;
    private readonly Epoll _epoll;
    private readonly int _pageSize;
    private readonly nuint _producerLength;
    private readonly ulong _mask;
    private readonly ReaderLifetime _lifetime;
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
        _lifetime = new ReaderLifetime(Release);
        _pageSize = Environment.SystemPageSize;
        var size = (ulong)map.MaxEntries;
        _mask = size - 1;
        _producerLength = RingPages.ProducerLength(size);
        RingPages.Map(map, userProduces: false, "ring buffer", out _consumer, out _producer);
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

    /// <summary>The reader's epoll fd, readable while the ring has data (what <see cref="EventReader"/> waits on).</summary>
    internal BpfFileDescriptor PollDescriptor => _epoll.Descriptor;

    /// <summary>Records handed to a handler so far.</summary>
    public long ReceivedCount { get; private set; }

    /// <summary>Records the producer discarded (<c>bpf_ringbuf_discard</c>) that were skipped.</summary>
    public long DiscardedCount { get; private set; }

    /// <summary>Bytes committed by producers but not yet consumed.</summary>
    public long PendingBytes
    {
        get
        {
            _lifetime.Enter(this);
            try { return (long)(Volatile.Read(ref *(ulong*)_producer) - Volatile.Read(ref *(ulong*)_consumer)); }
            finally { _lifetime.Exit(); }
        }
    }

    /// <summary>The ring's data size in bytes (the map's max_entries).</summary>
    public int Size => _map.MaxEntries;

    /// <summary>
    /// Hands every committed record to <paramref name="handler"/> without waiting and returns how many it got.
    /// No allocation happens per record.
    /// </summary>
    public int Consume(RingBufferRecordHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var adapter = new DelegateConsumer(handler);
        return Consume(ref adapter);
    }

    /// <summary>
    /// Hands every committed record to <paramref name="consumer"/> without waiting and returns how many it got.
    /// The loop is compiled for <typeparamref name="TConsumer"/>, so a struct consumer costs no delegate call
    /// per record. A record is released to the producer right after its <see cref="IRingBufferConsumer.OnRecord"/>
    /// returns; if it throws, that record counts as consumed and the exception propagates.
    /// </summary>
    public int Consume<TConsumer>(ref TConsumer consumer) where TConsumer : IRingBufferConsumer, allows ref struct
    {
        _lifetime.Enter(this);
        try { return ConsumeMapped(ref consumer); }
        finally { _lifetime.Exit(); }
    }

    // Caller holds _lifetime, so the pages stay mapped.
    private int ConsumeMapped<TConsumer>(ref TConsumer consumer) where TConsumer : IRingBufferConsumer, allows ref struct
    {
        byte* data = _data;
        ulong mask = _mask;
        ref var consumerPos = ref *(ulong*)_consumer;
        ref var producerPos = ref *(ulong*)_producer;
        var position = consumerPos; // only this reader writes it
        int count = 0;
        long discarded = 0;
        ulong handedOut = 0; // while a record is with the consumer: where the next one starts, else 0
        try
        {
            // Like libbpf's ringbuf_process_ring: drain up to the producer position, then look again.
            ulong producer;
            // A dispose from elsewhere ends the drain at the next batch, so a busy producer cannot keep the ring mapped.
            while (position < (producer = Volatile.Read(ref producerPos)) && !_lifetime.IsClosed)
            {
                do
                {
                    var record = data + (position & mask);
                    var header = Volatile.Read(ref *(uint*)record); // acquire: the record's bytes are visible after it
                    if ((header & BusyBit) != 0) return count; // not committed yet; later records wait for it
                    var length = header & ~(BusyBit | DiscardBit);
                    var next = position + RecordSpan(length);
                    if ((header & DiscardBit) == 0)
                    {
                        count++;
                        handedOut = next;
                        consumer.OnRecord(new ReadOnlySpan<byte>(record + HeaderSize, (int)length));
                        handedOut = 0;
                    }
                    else
                    {
                        discarded++;
                    }
                    // Released only after the consumer is done with the bytes, so the producer cannot reuse them earlier.
                    position = next;
                    Volatile.Write(ref consumerPos, position);
                } while (position < producer);
            }
            return count;
        }
        finally
        {
            // A consumer that threw is done with its record: release it too (one try for the whole drain, not one
            // per record, keeps the loop's locals in registers).
            if (handedOut != 0) Volatile.Write(ref consumerPos, handedOut);
            ReceivedCount += count;
            DiscardedCount += discarded;
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> (-1 = forever) for data, then consumes like
    /// <see cref="Consume(RingBufferRecordHandler)"/>. Returns the number of records handled (0 on timeout).
    /// </summary>
    public int Poll(int timeoutMilliseconds, RingBufferRecordHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var adapter = new DelegateConsumer(handler);
        return Poll(timeoutMilliseconds, ref adapter);
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> (-1 = forever) for data, then consumes like
    /// <see cref="Consume{TConsumer}(ref TConsumer)"/>. Returns the number of records handled (0 on timeout).
    /// Records already committed are consumed without a system call.
    /// </summary>
    public int Poll<TConsumer>(int timeoutMilliseconds, ref TConsumer consumer) where TConsumer : IRingBufferConsumer, allows ref struct
    {
        _lifetime.Enter(this);
        try
        {
            var count = ConsumeMapped(ref consumer);
            if (count > 0) return count;
            _epoll.Wait(timeoutMilliseconds);
            return _lifetime.IsClosed ? 0 : ConsumeMapped(ref consumer);
        }
        finally
        {
            _lifetime.Exit();
        }
    }

    private readonly struct DelegateConsumer(RingBufferRecordHandler handler) : IRingBufferConsumer
    {
        public void OnRecord(ReadOnlySpan<byte> record) => handler(record);
    }

    /// <summary>
    /// Streams records as copies until <paramref name="cancellationToken"/> is cancelled. Each record is a fresh
    /// array, so this path allocates per record; use <see cref="Poll"/> with a handler for the allocation-free path.
    /// </summary>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var batch = new List<byte[]>();
        RingBufferRecordHandler collect = record => batch.Add(record.ToArray());
        while (!cancellationToken.IsCancellationRequested && !_lifetime.IsClosed)
        {
            batch.Clear();
            if (Consume(collect) == 0)
            {
                // Wait off the caller's thread in short slices so cancellation is noticed promptly.
                await Task.Run(WaitSlice, CancellationToken.None).ConfigureAwait(false);
                continue;
            }
            foreach (var record in batch)
                yield return record;
        }
    }

    private void WaitSlice()
    {
        if (_lifetime.IsClosed) return;
        _lifetime.Enter(this);
        try { _epoll.Wait(100); }
        finally { _lifetime.Exit(); }
    }

    /// <summary>
    /// Unmaps the ring and closes the epoll fd (the map itself is not disposed). Safe from any thread: a consumer
    /// inside <c>Poll</c>/<c>Consume</c> is woken and the ring is unmapped when it returns.
    /// </summary>
    public void Dispose()
    {
        if (_lifetime.IsClosed) return;
        // Wake first: the eventfd stays readable, so a consumer that enters before Close still returns at once.
        try { _epoll?.Wake(); }
        catch (ObjectDisposedException) { return; } // a concurrent Dispose has released already
        _lifetime.Close();
    }

    private void Release()
    {
        Unmap();
        _epoll?.Dispose();
    }

    private void Unmap()
    {
        RingPages.Unmap(ref _consumer, ref _producer, _producerLength);
        _data = null;
    }
}
