using System.Buffers.Binary;
using BpfSharp.Linux.Interop;
using BpfSharp.Linux.Links;

namespace BpfSharp.Linux.RingBuffer;

/// <summary>Receives one perf buffer sample: the CPU it came from and its raw bytes (valid only during the call).</summary>
public delegate void PerfRecordHandler(int cpu, ReadOnlySpan<byte> record);

/// <summary>
/// Consumer of a <c>BPF_MAP_TYPE_PERF_EVENT_ARRAY</c> fed by <c>bpf_perf_event_output</c>: one
/// <c>PERF_COUNT_SW_BPF_OUTPUT</c> event per online CPU, each with its own mmapped ring, stored in the map at the
/// CPU's index. Samples the kernel could not store are reported by <c>PERF_RECORD_LOST</c> and summed in
/// <see cref="LostCount"/>. One thread consumes at a time; <see cref="Dispose"/> may come from any thread, even while
/// another is inside <see cref="Poll"/> or <see cref="Consume"/>: it wakes a blocked wait, that call returns, the rings
/// are unmapped when it leaves, and later calls throw <see cref="ObjectDisposedException"/>.
/// </summary>
public sealed unsafe class PerfBufferReader : IDisposable
{
    private const int HeaderSize = 8;

    private readonly Ring[] _rings;
    private readonly Epoll _epoll;
    private readonly int _pageSize;
    private readonly ReaderLifetime _lifetime;
    private byte[] _scratch = new byte[256];

    /// <summary>
    /// Opens the per-CPU events, maps <paramref name="pagesPerCpu"/> data pages for each (a power of two) and
    /// stores their fds in <paramref name="map"/>.
    /// </summary>
    /// <exception cref="BpfAttachException">perf_event_open or mmap failed.</exception>
    public PerfBufferReader(BpfMap map, int pagesPerCpu = 64)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.Type != BpfMapType.PerfEventArray) throw new ArgumentException($"{map} is not a perf event array.", nameof(map));
        if (pagesPerCpu <= 0 || (pagesPerCpu & (pagesPerCpu - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(pagesPerCpu), pagesPerCpu, "must be a power of two");
        _pageSize = Environment.SystemPageSize;
        _lifetime = new ReaderLifetime(Release);
        var cpus = OnlineCpus().Where(c => c < map.MaxEntries).ToArray();
        _rings = new Ring[cpus.Length];
        _epoll = new Epoll(cpus.Length);
        try
        {
            for (var i = 0; i < cpus.Length; i++)
            {
                _rings[i] = Ring.Open(cpus[i], pagesPerCpu, _pageSize);
                using (var lease = _rings[i].Event.Borrow())
                    map.Update(BitConverter.GetBytes(cpus[i]), BitConverter.GetBytes(lease.Fd));
                _epoll.Add(_rings[i].Event, (ulong)i);
                if (LibC.Ioctl(_rings[i].Event.RawFd, LibC.PerfEventIocEnable, 0) < 0)
                    throw new BpfAttachException($"PERF_EVENT_IOC_ENABLE on CPU {cpus[i]} failed", System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
            }
        }
        catch
        {
            Release();
            throw;
        }
    }

    /// <summary>The reader's epoll fd, readable while a ring has data (what <see cref="EventReader"/> waits on).</summary>
    internal BpfFileDescriptor PollDescriptor => _epoll.Descriptor;

    /// <summary>Samples handed to a handler so far.</summary>
    public long ReceivedCount { get; private set; }

    /// <summary>Samples the kernel dropped because a ring was full (sum of <c>PERF_RECORD_LOST</c> counts).</summary>
    public long LostCount { get; private set; }

    /// <summary>The CPUs with a ring.</summary>
    public IEnumerable<int> Cpus => _rings.Where(r => r is not null).Select(r => r.Cpu);

    /// <summary>Handles everything pending in every CPU's ring without waiting; returns the number of samples.</summary>
    public int Consume(PerfRecordHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _lifetime.Enter(this);
        try
        {
            var count = 0;
            foreach (var ring in _rings) count += ConsumeRing(ring, handler);
            return count;
        }
        finally
        {
            _lifetime.Exit();
        }
    }

    /// <summary>Waits up to <paramref name="timeoutMilliseconds"/> for data, then consumes the ready rings.</summary>
    public int Poll(int timeoutMilliseconds, PerfRecordHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _lifetime.Enter(this);
        try
        {
            var ready = _epoll.Wait(timeoutMilliseconds);
            var count = 0;
            for (var i = 0; i < ready && !_lifetime.IsClosed; i++)
            {
                var token = _epoll.Token(i);
                if (token != Epoll.WakeToken) count += ConsumeRing(_rings[(int)token], handler);
            }
            return count;
        }
        finally
        {
            _lifetime.Exit();
        }
    }

    /// <summary>
    /// Disables and unmaps every ring and closes the events. Safe from any thread: a consumer inside
    /// <see cref="Poll"/>/<see cref="Consume"/> is woken and the rings are unmapped when it returns.
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
        foreach (var ring in _rings) ring?.Dispose();
        _epoll?.Dispose();
    }

    private int ConsumeRing(Ring ring, PerfRecordHandler handler)
    {
        var page = ring.Base;
        ref var headRef = ref *(ulong*)(page + PerfMmapPage.DataHead);
        ref var tailRef = ref *(ulong*)(page + PerfMmapPage.DataTail);
        var head = Volatile.Read(ref headRef);
        var tail = tailRef;
        var data = page + _pageSize;
        var size = ring.DataSize;
        var count = 0;
        try
        {
            while (tail < head)
            {
                var offset = tail % size; // 64-bit throughout: a ring can be 2^31 bytes or more
                var recordSize = BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(data + offset + 6, 2));
                if (recordSize < HeaderSize) break; // corrupt; stop rather than loop
                ReadOnlySpan<byte> record;
                if (offset + recordSize <= size)
                {
                    record = new ReadOnlySpan<byte>(data + offset, recordSize);
                }
                else
                {
                    // The perf ring is mapped once: stitch a wrapped record together in scratch space.
                    if (_scratch.Length < recordSize) _scratch = new byte[Math.Max(recordSize, _scratch.Length * 2)];
                    var first = (int)(size - offset);
                    new ReadOnlySpan<byte>(data + offset, first).CopyTo(_scratch);
                    new ReadOnlySpan<byte>(data, recordSize - first).CopyTo(_scratch.AsSpan(first));
                    record = _scratch.AsSpan(0, recordSize);
                }
                var type = BinaryPrimitives.ReadUInt32LittleEndian(record);
                if (type == PerfMmapPage.RecordSample && record.Length >= HeaderSize + 4)
                {
                    var rawSize = BinaryPrimitives.ReadUInt32LittleEndian(record[HeaderSize..]);
                    var raw = record[(HeaderSize + 4)..];
                    ReceivedCount++;
                    count++;
                    handler(ring.Cpu, raw[..(int)Math.Min(rawSize, (uint)raw.Length)]);
                }
                else if (type == PerfMmapPage.RecordLost && record.Length >= HeaderSize + 16)
                {
                    LostCount += (long)BinaryPrimitives.ReadUInt64LittleEndian(record[(HeaderSize + 8)..]);
                }
                tail += recordSize;
            }
        }
        finally
        {
            Volatile.Write(ref tailRef, tail);
        }
        return count;
    }

    /// <summary>The online CPUs from <c>/sys/devices/system/cpu/online</c> ("0-3,5").</summary>
    internal static List<int> OnlineCpus()
    {
        var cpus = new List<int>();
        foreach (var part in File.ReadAllText("/sys/devices/system/cpu/online").Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = part.IndexOf('-');
            var first = int.Parse(dash < 0 ? part : part[..dash]);
            var last = dash < 0 ? first : int.Parse(part[(dash + 1)..]);
            for (var c = first; c <= last; c++) cpus.Add(c);
        }
        return cpus;
    }

    internal sealed class Ring : IDisposable
    {
        private Ring(int cpu, BpfFileDescriptor perfEvent, byte* baseAddress, nuint length, ulong dataSize)
        {
            Cpu = cpu;
            Event = perfEvent;
            Base = baseAddress;
            Length = length;
            DataSize = dataSize;
        }

        public int Cpu { get; }
        public BpfFileDescriptor Event { get; }
        public byte* Base { get; private set; }
        public nuint Length { get; }
        public ulong DataSize { get; }

        public static Ring Open(int cpu, int pages, int pageSize)
        {
            var attr = new PerfEventAttr
            {
                Type = PerfEventAttr.TypeSoftware,
                Config = PerfEventAttr.SoftwareBpfOutput,
                SampleType = PerfEventAttr.SampleRaw,
                SamplePeriod = 1,
                WakeupEvents = 1,
            };
            var perfEvent = PerfEventLink.OpenPerfEvent(ref attr, pid: -1, cpu, $"perf buffer on CPU {cpu}");
            var (dataSize, length) = MappingSize(pages, pageSize);
            var address = (byte*)LibC.Mmap(null, length, LibC.ProtRead | LibC.ProtWrite, LibC.MapShared, perfEvent.RawFd, 0);
            if (address == LibC.MapFailed)
            {
                var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                perfEvent.Dispose();
                throw new BpfAttachException($"mmap of the perf buffer on CPU {cpu} failed", errno);
            }
            return new Ring(cpu, perfEvent, address, length, dataSize);
        }

        /// <summary>
        /// The data area and the whole mapping (one metadata page more), in 64 bits: 2^20 pages of 4 KiB overflow
        /// an int, which once gave a 0-byte data area that lost every sample without an error.
        /// </summary>
        internal static (ulong DataSize, nuint Length) MappingSize(int pages, int pageSize)
        {
            var dataSize = (ulong)pages * (ulong)pageSize;
            return (dataSize, checked((nuint)(dataSize + (ulong)pageSize)));
        }

        public void Dispose()
        {
            if (Base is not null)
            {
                LibC.Ioctl(Event.RawFd, LibC.PerfEventIocDisable, 0);
                LibC.Munmap(Base, Length);
                Base = null;
            }
            Event.Dispose();
        }
    }
}
