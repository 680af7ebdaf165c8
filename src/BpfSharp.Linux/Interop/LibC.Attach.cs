using System.Runtime.InteropServices;

namespace BpfSharp.Linux.Interop;

/// <summary>The C library entry points for attaching programs and reading ring buffers.</summary>
internal static unsafe partial class LibC
{
    internal const int OReadOnly = 0;
    internal const int OCloexec = 0x80000;
    internal const int ODirectory = 0x10000;
    internal const int ProtRead = 1;
    internal const int ProtWrite = 2;
    internal const int MapShared = 1;
    internal const int EpollCloexec = 0x80000;
    internal const int EpollCtlAdd = 1;
    internal const uint EpollIn = 1;

    /// <summary><c>PERF_FLAG_FD_CLOEXEC</c>.</summary>
    internal const ulong PerfFlagFdCloexec = 8;
    /// <summary><c>PERF_EVENT_IOC_ENABLE</c> (<c>_IO('$', 0)</c>).</summary>
    internal const ulong PerfEventIocEnable = 0x2400;
    /// <summary><c>PERF_EVENT_IOC_DISABLE</c> (<c>_IO('$', 1)</c>).</summary>
    internal const ulong PerfEventIocDisable = 0x2401;
    /// <summary><c>PERF_EVENT_IOC_SET_BPF</c> (<c>_IOW('$', 8, __u32)</c>).</summary>
    internal const ulong PerfEventIocSetBpf = 0x40042408;

    private static readonly long PerfEventOpenNumber = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 298,
        Architecture.Arm64 or Architecture.RiscV64 or Architecture.LoongArch64 => 241,
        Architecture.X86 => 336,
        Architecture.Arm => 364,
        Architecture.S390x => 331,
        Architecture.Ppc64le => 319,
        _ => -1,
    };

    /// <summary><c>long syscall(long number, ...)</c> with five integer arguments.</summary>
    [LibraryImport(Library, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall5(long number, long arg1, long arg2, long arg3, long arg4, long arg5);

    /// <summary><c>perf_event_open(attr, pid, cpu, group_fd, flags)</c>; returns the fd or the negated errno.</summary>
    internal static int PerfEventOpen(ref PerfEventAttr attr, int pid, int cpu, int groupFd, ulong flags)
    {
        if (PerfEventOpenNumber < 0) throw new PlatformNotSupportedException("perf_event_open needs Linux on a supported architecture.");
        attr.Size = (uint)sizeof(PerfEventAttr);
        while (true)
        {
            long result;
            fixed (PerfEventAttr* p = &attr)
                result = Syscall5(PerfEventOpenNumber, (long)p, pid, cpu, groupFd, (long)flags);
            if (result >= 0) return (int)result;
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR) return -errno;
        }
    }

    /// <summary><c>int ioctl(int fd, unsigned long request, unsigned long arg)</c>.</summary>
    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int Ioctl(int fd, ulong request, ulong argument);

    /// <summary><c>int open(const char *path, int flags)</c>.</summary>
    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags);

    /// <summary><c>int epoll_create1(int flags)</c>.</summary>
    [LibraryImport(Library, EntryPoint = "epoll_create1", SetLastError = true)]
    internal static partial int EpollCreate1(int flags);

    /// <summary><c>int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)</c>.</summary>
    [LibraryImport(Library, EntryPoint = "epoll_ctl", SetLastError = true)]
    internal static partial int EpollCtl(int epollFd, int operation, int fd, byte* epollEvent);

    /// <summary><c>int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)</c>.</summary>
    [LibraryImport(Library, EntryPoint = "epoll_wait", SetLastError = true)]
    internal static partial int EpollWait(int epollFd, byte* events, int maxEvents, int timeoutMilliseconds);

    /// <summary><c>int eventfd(unsigned int initval, int flags)</c>.</summary>
    [LibraryImport(Library, EntryPoint = "eventfd", SetLastError = true)]
    internal static partial int EventFd(uint initialValue, int flags);

    /// <summary><c>ssize_t write(int fd, const void *buf, size_t count)</c>.</summary>
    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    internal static partial nint Write(int fd, void* buffer, nuint count);

    /// <summary><c>ssize_t read(int fd, void *buf, size_t count)</c>.</summary>
    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    internal static partial nint Read(int fd, void* buffer, nuint count);

    /// <summary>
    /// Size of <c>struct epoll_event</c>: x86-64 packs it to 12 bytes, other 64-bit ABIs pad <c>data</c> to 8.
    /// </summary>
    internal static int EpollEventSize => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    /// <summary>Offset of the <c>data</c> member in <c>struct epoll_event</c>.</summary>
    internal static int EpollDataOffset => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    /// <summary><c>pid_t getpid(void)</c> (a real syscall in current glibc; tests use it as a trigger).</summary>
    [LibraryImport(Library, EntryPoint = "getpid")]
    internal static partial int GetPid();

    /// <summary><c>pid_t gettid(void)</c>: the calling thread's id.</summary>
    [LibraryImport(Library, EntryPoint = "gettid")]
    internal static partial int GetTid();

    /// <summary><c>if_nametoindex</c>: the interface index for a name, 0 when there is none.</summary>
    [LibraryImport(Library, EntryPoint = "if_nametoindex", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial uint IfNameToIndex(string name);
}
