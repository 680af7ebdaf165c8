using System.Runtime.InteropServices;

namespace BpfSharp.Linux.Interop;

/// <summary>The C library's socket calls, for rtnetlink (tc and legacy XDP attach).</summary>
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
}
