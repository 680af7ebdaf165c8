using System.Numerics;
using System.Runtime.InteropServices;
using BpfSharp.Linux.Interop;
using BpfSharp.Linux.Links;

namespace BpfSharp.Linux.Sockets;

/// <summary>Receives one frame of an <see cref="XdpSocket"/>; the span is valid only during the call.</summary>
public delegate void XdpFrameHandler(ReadOnlySpan<byte> frame);

/// <summary>Sizes and mode of an <see cref="XdpSocket"/>.</summary>
public sealed record XdpSocketOptions
{
    /// <summary>Frames in the UMEM (shared by receive and transmit).</summary>
    public int FrameCount { get; init; } = 4096;

    /// <summary>Bytes per frame: 2048 or 4096 (the kernel's aligned chunk sizes).</summary>
    public int FrameSize { get; init; } = 4096;

    /// <summary>Entries of each of the four rings (a power of two).</summary>
    public int RingSize { get; init; } = 2048;

    /// <summary>Bytes the kernel leaves free in front of each received frame.</summary>
    public int Headroom { get; init; }

    /// <summary><c>XDP_COPY</c> (the default): the kernel copies frames into the UMEM, which every driver and generic XDP can do; false lets the kernel pick zero-copy where the driver has it.</summary>
    public bool Copy { get; init; } = true;
}

/// <summary>The counters of an <see cref="XdpSocket"/> (<c>struct xdp_statistics</c>).</summary>
/// <param name="ReceiveDropped">Frames dropped for reasons other than an empty fill ring or a full receive ring.</param>
/// <param name="ReceiveInvalidDescriptors">Bad descriptors on the fill ring.</param>
/// <param name="TransmitInvalidDescriptors">Bad descriptors on the transmit ring.</param>
/// <param name="ReceiveRingFull">Frames dropped because the receive ring was full.</param>
/// <param name="FillRingEmpty">Times the fill ring had no frame for a packet.</param>
/// <param name="TransmitRingEmpty">Times the kernel found the transmit ring empty.</param>
public readonly record struct XdpSocketStatistics(ulong ReceiveDropped, ulong ReceiveInvalidDescriptors, ulong TransmitInvalidDescriptors,
    ulong ReceiveRingFull, ulong FillRingEmpty, ulong TransmitRingEmpty);

/// <summary>
/// An AF_XDP socket (4.18+, <c>CONFIG_XDP_SOCKETS</c>): an XDP program redirects frames of one receive queue of an
/// interface into it through an <see cref="BpfMapType.XskMap"/> (<see cref="AddToMap"/>), and user space reads
/// them from shared memory without the network stack; frames written with <see cref="Transmit"/> leave through the
/// same interface. The socket owns its UMEM (the frame memory it registers with the kernel) and the four rings
/// mapped from the kernel: fill (frames lent to the kernel for receiving), receive, transmit and completion (sent
/// frames given back). Not thread-safe: one thread drives a socket.
/// </summary>
public sealed unsafe class XdpSocket : IDisposable
{
    private const int AfXdp = 44;
    private const int SolXdp = 283;
    private const int XdpMmapOffsets = 1, XdpRxRing = 2, XdpTxRing = 3, XdpUmemReg = 4, XdpUmemFillRing = 5, XdpUmemCompletionRing = 6, XdpStatisticsOption = 7;
    private const long PageOffsetRx = 0, PageOffsetTx = 0x80000000, PageOffsetFill = 0x100000000, PageOffsetCompletion = 0x180000000;
    private const ushort BindCopy = 1 << 1;
    private const int MapPrivate = 0x02, MapAnonymous = 0x20, MapPopulate = 0x8000;

    /// <summary>One mapped ring: producer and consumer indexes and the entries, as the kernel lays them out.</summary>
    private struct Ring
    {
        public uint* Producer;
        public uint* Consumer;
        public byte* Entries;
        public uint Mask;
        public byte* Mapping;
        public nuint MappingLength;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Descriptor
    {
        public ulong Address;
        public uint Length;
        public uint Options;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RingOffsets
    {
        public ulong Producer, Consumer, Descriptors, Flags;
    }

    private readonly BpfFileDescriptor _socket;
    private readonly XdpSocketOptions _options;
    private byte* _umem;
    private readonly nuint _umemLength;
    private Ring _fill, _completion, _rx, _tx;
    private readonly Stack<ulong> _freeFrames = new();
    private int _transmitsInFlight;

    private XdpSocket(BpfFileDescriptor socket, XdpSocketOptions options, byte* umem, nuint umemLength)
    {
        _socket = socket;
        _options = options;
        _umem = umem;
        _umemLength = umemLength;
    }

    /// <summary>The socket's fd (what an xskmap entry holds).</summary>
    public BpfFileDescriptor FileDescriptor => _socket;

    /// <summary>The interface the socket is bound to.</summary>
    public int InterfaceIndex { get; private set; }

    /// <summary>The receive queue of that interface.</summary>
    public int QueueId { get; private set; }

    /// <summary>True once disposed.</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>
    /// Creates a socket with its UMEM and rings and binds it to queue <paramref name="queueId"/> of interface
    /// <paramref name="interfaceIndex"/> in the calling thread's network namespace. Half the frames (at most a
    /// fill ring's worth) are lent to the kernel for receiving; the rest serve <see cref="Transmit"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Sizes the kernel does not take.</exception>
    /// <exception cref="BpfAttachException">The kernel refused (EAFNOSUPPORT without AF_XDP, ENODEV, EOPNOTSUPP for zero-copy on a driver without it, EBUSY for a queue another socket holds, ...).</exception>
    public static XdpSocket Create(int interfaceIndex, int queueId = 0, XdpSocketOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(interfaceIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(queueId);
        options ??= new XdpSocketOptions();
        if (options.FrameSize is not (2048 or 4096)) throw new ArgumentException($"frame size {options.FrameSize}: the kernel takes 2048 or 4096", nameof(options));
        if (options.FrameCount <= 0 || (long)options.FrameCount * options.FrameSize > int.MaxValue) throw new ArgumentException($"frame count {options.FrameCount} out of range", nameof(options));
        if (options.RingSize <= 0 || !BitOperations.IsPow2(options.RingSize)) throw new ArgumentException($"ring size {options.RingSize} is not a power of two", nameof(options));
        if (options.Headroom < 0 || options.Headroom > options.FrameSize - 256) throw new ArgumentException($"headroom {options.Headroom} leaves no room for a frame", nameof(options));

        var raw = LibC.Socket(AfXdp, LibC.SockRaw | LibC.SockCloexec, 0);
        if (raw < 0) throw new BpfAttachException("cannot create an AF_XDP socket", Marshal.GetLastPInvokeError());
        var umemLength = (nuint)((long)options.FrameCount * options.FrameSize);
        var umem = (byte*)LibC.Mmap(null, umemLength, LibC.ProtRead | LibC.ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        if (umem == LibC.MapFailed)
        {
            var errno = Marshal.GetLastPInvokeError();
            LibC.Close(raw);
            throw new BpfAttachException($"cannot map {umemLength} bytes of UMEM", errno);
        }
        var socket = new XdpSocket(new BpfFileDescriptor(raw), options, umem, umemLength);
        try
        {
            socket.Setup(raw, interfaceIndex, queueId);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void Setup(int fd, int interfaceIndex, int queueId)
    {
        // struct xdp_umem_reg as of 4.18 (addr, len, chunk_size, headroom): every later kernel takes it.
        var registration = stackalloc ulong[3];
        registration[0] = (ulong)_umem;
        registration[1] = _umemLength;
        ((uint*)registration)[4] = (uint)_options.FrameSize;
        ((uint*)registration)[5] = (uint)_options.Headroom;
        SetOption(fd, XdpUmemReg, registration, 24, "register the UMEM");
        var size = _options.RingSize;
        SetOption(fd, XdpUmemFillRing, &size, 4, "size the fill ring");
        SetOption(fd, XdpUmemCompletionRing, &size, 4, "size the completion ring");
        SetOption(fd, XdpRxRing, &size, 4, "size the receive ring");
        SetOption(fd, XdpTxRing, &size, 4, "size the transmit ring");

        var offsets = stackalloc RingOffsets[4];
        uint length = (uint)(sizeof(RingOffsets) * 4);
        if (LibC.GetSocketOption(fd, SolXdp, XdpMmapOffsets, offsets, &length) < 0)
            throw new BpfAttachException("cannot read the AF_XDP ring offsets", Marshal.GetLastPInvokeError());
        // Kernels before 5.4 answer without the flags words; their layout differs and is not supported.
        if (length != (uint)(sizeof(RingOffsets) * 4)) throw new BpfAttachException($"unexpected AF_XDP ring offsets ({length} bytes): kernel older than 5.4", 0);
        _rx = MapRing(fd, offsets[0], PageOffsetRx, sizeof(Descriptor), "receive");
        _tx = MapRing(fd, offsets[1], PageOffsetTx, sizeof(Descriptor), "transmit");
        _fill = MapRing(fd, offsets[2], PageOffsetFill, sizeof(ulong), "fill");
        _completion = MapRing(fd, offsets[3], PageOffsetCompletion, sizeof(ulong), "completion");

        // struct sockaddr_xdp: family, flags, ifindex, queue_id, shared_umem_fd.
        var address = stackalloc byte[16];
        new Span<byte>(address, 16).Clear();
        *(ushort*)address = AfXdp;
        *(ushort*)(address + 2) = _options.Copy ? BindCopy : (ushort)0;
        *(uint*)(address + 4) = (uint)interfaceIndex;
        *(uint*)(address + 8) = (uint)queueId;
        if (LibC.Bind(fd, address, 16) < 0)
            throw new BpfAttachException($"cannot bind the AF_XDP socket to ifindex {interfaceIndex} queue {queueId}", Marshal.GetLastPInvokeError());
        InterfaceIndex = interfaceIndex;
        QueueId = queueId;

        for (var i = _options.FrameCount - 1; i >= 0; i--) _freeFrames.Push((ulong)i * (ulong)_options.FrameSize);
        Refill(Math.Min(_options.FrameCount / 2, _options.RingSize));
    }

    private static void SetOption(int fd, int option, void* value, uint length, string what)
    {
        if (LibC.SetSocketOption(fd, SolXdp, option, value, length) < 0)
            throw new BpfAttachException($"AF_XDP: cannot {what}", Marshal.GetLastPInvokeError());
    }

    private Ring MapRing(int fd, RingOffsets offsets, long pageOffset, int entrySize, string name)
    {
        var length = (nuint)(offsets.Descriptors + (ulong)(_options.RingSize * entrySize));
        var mapping = (byte*)LibC.Mmap(null, length, LibC.ProtRead | LibC.ProtWrite, LibC.MapShared | MapPopulate, fd, pageOffset);
        if (mapping == LibC.MapFailed) throw new BpfAttachException($"cannot map the AF_XDP {name} ring", Marshal.GetLastPInvokeError());
        return new Ring
        {
            Mapping = mapping,
            MappingLength = length,
            Producer = (uint*)(mapping + offsets.Producer),
            Consumer = (uint*)(mapping + offsets.Consumer),
            Entries = mapping + offsets.Descriptors,
            Mask = (uint)_options.RingSize - 1,
        };
    }

    /// <summary>
    /// Puts this socket in slot <paramref name="key"/> (by default its queue id) of <paramref name="xskMap"/>, where
    /// an XDP program's <c>bpf_redirect_map</c> finds it.
    /// </summary>
    /// <exception cref="BpfSyscallException">The kernel refused (EINVAL for a map of another type).</exception>
    public void AddToMap(BpfMap xskMap, uint? key = null)
    {
        ArgumentNullException.ThrowIfNull(xskMap);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        using var lease = _socket.Borrow();
        xskMap.Update(key ?? (uint)QueueId, lease.Fd);
    }

    /// <summary>Waits up to <paramref name="timeoutMilliseconds"/> (-1: forever) until a frame can be received.</summary>
    /// <returns>True when the receive ring has frames.</returns>
    public bool WaitForReceive(int timeoutMilliseconds)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (Available(_rx) > 0) return true;
        using var lease = _socket.Borrow();
        var poll = new LibC.PollDescriptor { Fd = lease.Fd, Events = LibC.PollIn };
        int result;
        do result = LibC.Poll(&poll, 1, timeoutMilliseconds);
        while (result < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR);
        if (result < 0) throw new BpfAttachException("poll on the AF_XDP socket failed", Marshal.GetLastPInvokeError());
        return Available(_rx) > 0;
    }

    /// <summary>
    /// Hands up to <paramref name="maxFrames"/> received frames to <paramref name="handler"/>, in arrival order, then
    /// lends their memory back to the kernel for the next ones.
    /// </summary>
    /// <returns>The number of frames handled.</returns>
    public int Receive(XdpFrameHandler handler, int maxFrames = 64)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var consumer = *_rx.Consumer;
        var count = (uint)Math.Min(Available(_rx), (uint)Math.Max(maxFrames, 0));
        var frameMask = ~(ulong)(_options.FrameSize - 1);
        try
        {
            for (uint i = 0; i < count; i++)
            {
                var descriptor = ((Descriptor*)_rx.Entries)[(consumer + i) & _rx.Mask];
                // The kernel wrote the frame inside the UMEM; a descriptor pointing elsewhere is not ours to read.
                if (descriptor.Address + descriptor.Length > _umemLength)
                    throw new InvalidOperationException($"AF_XDP receive descriptor {descriptor.Address:x}+{descriptor.Length} lies outside the UMEM");
                handler(new ReadOnlySpan<byte>(_umem + descriptor.Address, (int)descriptor.Length));
                _freeFrames.Push(descriptor.Address & frameMask);
            }
        }
        finally
        {
            Volatile.Write(ref *_rx.Consumer, consumer + count);
            Refill(_options.RingSize);
        }
        return (int)count;
    }

    /// <summary>
    /// Queues <paramref name="frame"/> (a whole link-layer frame) for transmission out of the bound interface and
    /// asks the kernel to send it.
    /// </summary>
    /// <returns>False when no frame memory or transmit slot is free (try again after the kernel completes earlier ones).</returns>
    public bool Transmit(ReadOnlySpan<byte> frame)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (frame.Length > _options.FrameSize) throw new ArgumentException($"a {frame.Length}-byte frame does not fit a {_options.FrameSize}-byte UMEM frame", nameof(frame));
        CompleteTransmits();
        var producer = *_tx.Producer;
        if (producer - Volatile.Read(ref *_tx.Consumer) > _tx.Mask || !_freeFrames.TryPop(out var address)) return false;
        frame.CopyTo(new Span<byte>(_umem + address, frame.Length));
        ((Descriptor*)_tx.Entries)[producer & _tx.Mask] = new Descriptor { Address = address, Length = (uint)frame.Length };
        Volatile.Write(ref *_tx.Producer, producer + 1);
        _transmitsInFlight++;
        Kick();
        return true;
    }

    /// <summary>Takes back the memory of frames the kernel has sent (the completion ring).</summary>
    /// <returns>The number of frames completed by this call.</returns>
    public int CompleteTransmits()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var consumer = *_completion.Consumer;
        var count = Available(_completion);
        for (uint i = 0; i < count; i++) _freeFrames.Push(((ulong*)_completion.Entries)[(consumer + i) & _completion.Mask]);
        Volatile.Write(ref *_completion.Consumer, consumer + count);
        _transmitsInFlight -= (int)count;
        return (int)count;
    }

    /// <summary>Frames given to <see cref="Transmit"/> that the kernel has not completed yet.</summary>
    public int TransmitsInFlight => _transmitsInFlight;

    /// <summary>The kernel's counters for this socket (<c>XDP_STATISTICS</c>).</summary>
    public XdpSocketStatistics Statistics
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            var values = stackalloc ulong[6];
            uint length = 6 * sizeof(ulong);
            using var lease = _socket.Borrow();
            if (LibC.GetSocketOption(lease.Fd, SolXdp, XdpStatisticsOption, values, &length) < 0)
                throw new BpfAttachException("cannot read the AF_XDP statistics", Marshal.GetLastPInvokeError());
            // Kernels before 5.9 fill only the first three.
            return new XdpSocketStatistics(values[0], values[1], values[2],
                length >= 48 ? values[3] : 0, length >= 48 ? values[4] : 0, length >= 48 ? values[5] : 0);
        }
    }

    private static uint Available(Ring ring) => Volatile.Read(ref *ring.Producer) - *ring.Consumer;

    /// <summary>Lends free frames to the kernel until the fill ring holds <paramref name="target"/> or none is left.</summary>
    private void Refill(int target)
    {
        var producer = *_fill.Producer;
        var queued = producer - Volatile.Read(ref *_fill.Consumer);
        var added = 0u;
        while (queued + added < (uint)target && queued + added <= _fill.Mask && _freeFrames.TryPop(out var address))
        {
            ((ulong*)_fill.Entries)[(producer + added) & _fill.Mask] = address;
            added++;
        }
        if (added > 0) Volatile.Write(ref *_fill.Producer, producer + added);
    }

    private void Kick()
    {
        using var lease = _socket.Borrow();
        if (LibC.SendTo(lease.Fd, null, 0, LibC.MessageDontWait, null, 0) >= 0) return;
        var errno = Marshal.GetLastPInvokeError();
        // The kernel is busy or out of buffers: the frames stay queued and go with the next kick.
        if (errno is Errno.EAGAIN or Errno.EBUSY or Errno.ENOBUFS or Errno.EINTR) return;
        throw new BpfAttachException("AF_XDP transmit failed", errno);
    }

    /// <summary>Unmaps the rings, closes the socket (which removes it from every xskmap) and frees the UMEM.</summary>
    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        foreach (var ring in new[] { _rx, _tx, _fill, _completion })
            if (ring.Mapping != null) LibC.Munmap(ring.Mapping, ring.MappingLength);
        _rx = _tx = _fill = _completion = default;
        _socket.Dispose();
        if (_umem != null) LibC.Munmap(_umem, _umemLength);
        _umem = null;
    }

    /// <inheritdoc />
    public override string ToString() => $"xsk ifindex {InterfaceIndex} queue {QueueId}";
}
