using System.Runtime.InteropServices;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.RingBuffer;

/// <summary>An epoll instance watching fds for readability, with a preallocated event buffer (no allocation per wait).</summary>
internal sealed unsafe class Epoll : IDisposable
{
    private readonly BpfFileDescriptor _fd;
    private readonly byte[] _events;
    private readonly int _capacity;
    private readonly BpfFileDescriptor _wake;

    /// <summary>The token <see cref="Wait"/> reports for <see cref="Wake"/>; callers skip it.</summary>
    public const ulong WakeToken = ulong.MaxValue;

    public Epoll(int capacity)
    {
        var fd = LibC.EpollCreate1(LibC.EpollCloexec);
        if (fd < 0) throw new IOException($"epoll_create1 failed: {Errno.Name(Marshal.GetLastPInvokeError())}");
        _fd = new BpfFileDescriptor(fd);
        // One extra slot for the wake-up eventfd, so a disposing thread can end a wait that has no timeout.
        _capacity = Math.Max(1, capacity) + 1;
        _events = new byte[_capacity * LibC.EpollEventSize];
        var wake = LibC.EventFd(0, LibC.EpollCloexec); // EFD_CLOEXEC has O_CLOEXEC's value, as EPOLL_CLOEXEC does
        if (wake < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            _fd.Dispose();
            throw new IOException($"eventfd failed: {Errno.Name(errno)}");
        }
        _wake = new BpfFileDescriptor(wake);
        try { Add(_wake, WakeToken); }
        catch { Dispose(); throw; }
    }

    /// <summary>The epoll fd itself: readable while any watched fd is, so one epoll can watch another.</summary>
    public BpfFileDescriptor Descriptor => _fd;

    /// <summary>Makes the current and every later <see cref="Wait"/> return at once (the eventfd stays readable).</summary>
    public void Wake()
    {
        using var wake = _wake.Borrow();
        ulong one = 1;
        LibC.Write(wake.Fd, &one, sizeof(ulong));
    }

    /// <summary>Watches <paramref name="fd"/> for <c>EPOLLIN</c>, reporting <paramref name="token"/> when it is readable.</summary>
    public void Add(BpfFileDescriptor fd, ulong token)
    {
        using var epoll = _fd.Borrow();
        using var target = fd.Borrow();
        Span<byte> ev = stackalloc byte[16];
        ev.Clear();
        MemoryMarshal.Write(ev, LibC.EpollIn);
        MemoryMarshal.Write(ev[LibC.EpollDataOffset..], token);
        fixed (byte* p = ev)
        {
            if (LibC.EpollCtl(epoll.Fd, LibC.EpollCtlAdd, target.Fd, p) < 0)
                throw new IOException($"epoll_ctl(ADD) failed: {Errno.Name(Marshal.GetLastPInvokeError())}");
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> (-1 = forever) and returns how many fds are ready; their
    /// tokens are then available through <see cref="Token"/>. Interrupted waits return 0.
    /// </summary>
    public int Wait(int timeoutMilliseconds)
    {
        using var epoll = _fd.Borrow();
        fixed (byte* events = _events)
        {
            var n = LibC.EpollWait(epoll.Fd, events, _capacity, timeoutMilliseconds);
            if (n >= 0) return n;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.EINTR) return 0;
            throw new IOException($"epoll_wait failed: {Errno.Name(errno)}");
        }
    }

    /// <summary>The token of the <paramref name="index"/>-th ready fd of the last <see cref="Wait"/>.</summary>
    public ulong Token(int index) => MemoryMarshal.Read<ulong>(_events.AsSpan(index * LibC.EpollEventSize + LibC.EpollDataOffset));

    public void Dispose()
    {
        _fd.Dispose();
        _wake?.Dispose();
    }
}
