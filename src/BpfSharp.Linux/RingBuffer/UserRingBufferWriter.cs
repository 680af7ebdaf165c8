using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BpfSharp.Linux.Interop;
using static BpfSharp.Linux.RingBuffer.RingPages;

namespace BpfSharp.Linux.RingBuffer;

/// <summary>
/// Producer of a user ring buffer map (<c>BPF_MAP_TYPE_USER_RINGBUF</c>): user space writes records that a BPF
/// program drains with <c>bpf_user_ringbuf_drain</c> (<c>UserRingBuffer.Drain</c> in C#), as libbpf's
/// <c>user_ring_buffer__reserve</c>/<c>__submit</c>/<c>__discard</c> do. The kernel's consumer page is mapped
/// read-only, the producer page and the data pages (twice, so a record that wraps is contiguous) read-write. A
/// reserved record is marked busy in its 8-byte header and the producer position advances at once, so the kernel stops
/// at it until it is submitted or discarded; records reach the program in reservation order. One thread produces at a
/// time (as with libbpf, the writer is not thread-safe); the map must stay open while the writer is used.
/// </summary>
public sealed unsafe class UserRingBufferWriter : IDisposable
{
    private readonly int _pageSize;
    private readonly nuint _producerLength;
    private readonly ulong _mask;
    private byte* _consumer;
    private byte* _producer;
    private byte* _data;

    /// <summary>Maps the ring of <paramref name="map"/>.</summary>
    /// <exception cref="ArgumentException">The map is not a user ring buffer.</exception>
    /// <exception cref="IOException">mmap failed.</exception>
    public UserRingBufferWriter(BpfMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.Type != BpfMapType.UserRingBuf) throw new ArgumentException($"{map} is not a user ring buffer map.", nameof(map));
        _pageSize = Environment.SystemPageSize;
        var size = (ulong)(uint)map.MaxEntries;
        _mask = size - 1;
        _producerLength = RingPages.ProducerLength(size);
        RingPages.Map(map, userProduces: true, "user ring buffer", out _consumer, out _producer);
        _data = _producer + _pageSize;
        Size = (int)size;
    }

    /// <summary>The ring's data size in bytes (the map's max_entries).</summary>
    public int Size { get; }

    /// <summary>Bytes free for new records (each takes its length rounded up to 8, plus an 8-byte header).</summary>
    public long AvailableBytes
    {
        get
        {
            ThrowIfDisposed();
            return (long)(_mask + 1 - (Volatile.Read(ref *(ulong*)_producer) - Volatile.Read(ref *(ulong*)_consumer)));
        }
    }

    /// <summary>Reserves a record of <paramref name="size"/> bytes to fill in and then <see cref="Submit"/> or
    /// <see cref="Discard"/>; false when the ring has no room now (the program has not drained enough yet).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The record could never fit the ring.</exception>
    public bool TryReserve(int size, out Span<byte> record)
    {
        ThrowIfDisposed();
        var total = RecordSpace(size);
        var consumer = Volatile.Read(ref *(ulong*)_consumer);
        var producer = *(ulong*)_producer; // only this writer moves it
        if (_mask + 1 - (producer - consumer) < total)
        {
            record = default;
            return false;
        }

        var header = _data + (producer & _mask);
        *(uint*)(header + 4) = 0;
        *(uint*)header = (uint)size | BusyBit;
        // Release: the kernel sees the busy header before the position that exposes it.
        Volatile.Write(ref *(ulong*)_producer, producer + total);
        record = new Span<byte>(_data + ((producer + HeaderSize) & _mask), size);
        return true;
    }

    /// <summary>Hands a reserved record to the kernel.</summary>
    public void Submit(Span<byte> record) => Commit(record, discard: false);

    /// <summary>Gives up a reserved record; the kernel skips it.</summary>
    public void Discard(Span<byte> record) => Commit(record, discard: true);

    /// <summary>Reserves, copies <paramref name="value"/> in and submits; false when the ring has no room now.</summary>
    public bool TryWrite<T>(in T value) where T : unmanaged
    {
        if (!TryReserve(sizeof(T), out var record)) return false;
        MemoryMarshal.Write(record, in value);
        Submit(record);
        return true;
    }

    private ulong RecordSpace(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var total = RecordSpan((ulong)size);
        if (total > _mask + 1 || size >= (1 << 30))
            throw new ArgumentOutOfRangeException(nameof(size), size, $"a record of {size} bytes does not fit a ring of {_mask + 1} bytes");
        return total;
    }

    private void Commit(Span<byte> record, bool discard)
    {
        ThrowIfDisposed();
        var at = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(record));
        // The data pages are mapped twice: a record's address may lie in the second copy.
        if (record.IsEmpty && at == null || at < _data + HeaderSize || at >= _data + 2 * (_mask + 1))
            throw new ArgumentException("the record was not reserved from this writer", nameof(record));
        var header = (uint*)(_data + (((ulong)(at - _data) - HeaderSize) & _mask));
        var length = Volatile.Read(ref *header);
        if ((length & BusyBit) == 0 || (length & ~(BusyBit | DiscardBit)) != (uint)record.Length)
            throw new ArgumentException("the record is not a reserved, uncommitted record of this writer", nameof(record));
        var committed = (length & ~BusyBit) | (discard ? DiscardBit : 0);
        Interlocked.Exchange(ref *header, committed);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_producer is null, this);

    /// <summary>Unmaps the ring.</summary>
    public void Dispose()
    {
        RingPages.Unmap(ref _consumer, ref _producer, _producerLength);
        _data = null;
    }
}
