using System.Runtime.InteropServices;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.RingBuffer;

/// <summary>An epoll instance watching fds for readability, with a preallocated event buffer (no allocation per wait).</summary>
internal sealed unsafe class Epoll : IDisposable
{
    private readonly BpfFileDescriptor _fd;
    private readonly byte[] _events;
    private readonly int _capacity;

    public Epoll(int capacity)
    {
        var fd = LibC.EpollCreate1(LibC.EpollCloexec);
        if (fd < 0) throw new IOException($"epoll_create1 failed: {Errno.Name(Marshal.GetLastPInvokeError())}");
        _fd = new BpfFileDescriptor(fd);
        _capacity = Math.Max(1, capacity);
        _events = new byte[_capacity * LibC.EpollEventSize];
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

    public void Dispose() => _fd.Dispose();
}
