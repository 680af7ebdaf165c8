using System.Runtime.InteropServices;

namespace BpfSharp.Linux.Interop;

/// <summary>
/// The C library entry points the runtime needs. This folder is the only place in BpfSharp that declares
/// P/Invoke; everything else goes through <see cref="BpfSyscall"/> or the small wrappers here.
/// </summary>
internal static unsafe partial class LibC
{
    private const string Library = "libc";

    /// <summary><c>long syscall(long number, ...)</c> with three integer arguments (the <c>bpf()</c> shape).</summary>
    [LibraryImport(Library, EntryPoint = "syscall", SetLastError = true)]
    internal static partial long Syscall(long number, long arg1, void* arg2, long arg3);

    /// <summary><c>int close(int fd)</c>.</summary>
    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    /// <summary><c>void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)</c>.</summary>
    [LibraryImport(Library, EntryPoint = "mmap", SetLastError = true)]
    internal static partial void* Mmap(void* address, nuint length, int protection, int flags, int fd, long offset);

    /// <summary><c>int munmap(void *addr, size_t length)</c>.</summary>
    [LibraryImport(Library, EntryPoint = "munmap", SetLastError = true)]
    internal static partial int Munmap(void* address, nuint length);

    /// <summary><c>int fcntl(int fd, int cmd, int arg)</c>.</summary>
    [LibraryImport(Library, EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int Fcntl(int fd, int command, int argument);

    /// <summary><c>F_DUPFD_CLOEXEC</c>: a new descriptor for the same open file, closed on exec.</summary>
    internal const int DuplicateCloseOnExec = 1030;

    /// <summary><c>int getrlimit(int resource, struct rlimit *rlim)</c>.</summary>
    [LibraryImport(Library, EntryPoint = "getrlimit", SetLastError = true)]
    internal static partial int GetResourceLimit(int resource, ResourceLimit* limit);

    /// <summary><c>int setrlimit(int resource, const struct rlimit *rlim)</c>.</summary>
    [LibraryImport(Library, EntryPoint = "setrlimit", SetLastError = true)]
    internal static partial int SetResourceLimit(int resource, ResourceLimit* limit);

    /// <summary><c>RLIMIT_MEMLOCK</c>.</summary>
    internal const int LimitMemoryLock = 8;

    /// <summary><c>struct rlimit</c> (64-bit).</summary>
    internal struct ResourceLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    /// <summary>The <c>MAP_FAILED</c> return value of <c>mmap</c>.</summary>
    internal static readonly void* MapFailed = (void*)-1;
}
