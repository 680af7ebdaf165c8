using System.Runtime.InteropServices;

namespace BpfSharp.Linux.Interop;

/// <summary>The C library's socket calls, for rtnetlink (tc, legacy XDP, routes) and AF_XDP sockets.</summary>
internal static unsafe partial class LibC
{
    internal const int AfNetlink = 16;
    internal const int SockRaw = 3;
    internal const int SockCloexec = 0x80000;
    internal const int SolNetlink = 270;
    internal const int NetlinkExtAck = 11;
    internal const int NetlinkGetStrictChk = 12;
    internal const int SolSocket = 1;
    internal const int SoReceiveTimeout = 20;

    [LibraryImport(Library, EntryPoint = "socket", SetLastError = true)]
    internal static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Library, EntryPoint = "bind", SetLastError = true)]
    internal static partial int Bind(int fd, void* address, uint addressLength);

    [LibraryImport(Library, EntryPoint = "setsockopt", SetLastError = true)]
    internal static partial int SetSocketOption(int fd, int level, int name, void* value, uint length);

    [LibraryImport(Library, EntryPoint = "send", SetLastError = true)]
    internal static partial nint Send(int fd, void* buffer, nuint length, int flags);

    [LibraryImport(Library, EntryPoint = "recv", SetLastError = true)]
    internal static partial nint Receive(int fd, void* buffer, nuint length, int flags);

    [LibraryImport(Library, EntryPoint = "getsockopt", SetLastError = true)]
    internal static partial int GetSocketOption(int fd, int level, int name, void* value, uint* length);

    [LibraryImport(Library, EntryPoint = "sendto", SetLastError = true)]
    internal static partial nint SendTo(int fd, void* buffer, nuint length, int flags, void* address, uint addressLength);

    /// <summary><c>int poll(struct pollfd *fds, nfds_t nfds, int timeout)</c>.</summary>
    [LibraryImport(Library, EntryPoint = "poll", SetLastError = true)]
    internal static partial int Poll(PollDescriptor* descriptors, nuint count, int timeoutMilliseconds);

    /// <summary><c>struct pollfd</c>.</summary>
    internal struct PollDescriptor
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    internal const short PollIn = 0x1;
    internal const int MessageDontWait = 0x40;
}
