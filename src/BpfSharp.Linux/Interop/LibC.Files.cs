using System.Runtime.InteropServices;

namespace BpfSharp.Linux.Interop;

internal static unsafe partial class LibC
{
    /// <summary><c>AT_FDCWD</c>: resolve a relative path against the working directory.</summary>
    internal const int AtFdCwd = -100;

    /// <summary><c>STATX_BASIC_STATS</c>: everything <c>stat(2)</c> returns.</summary>
    internal const uint StatxBasicStats = 0x7ff;

    /// <summary>Size of <c>struct statx</c> (fixed by the ABI, padded for future fields).</summary>
    internal const int StatxSize = 256;

    /// <summary><c>int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf)</c>.</summary>
    [LibraryImport(Library, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Statx(int directoryFd, string path, int flags, uint mask, byte* buffer);

    /// <summary>Field offsets in <c>struct statx</c> (include/uapi/linux/stat.h).</summary>
    internal static class StatxField
    {
        internal const int Inode = 32, Size = 40, CtimeSeconds = 96, CtimeNanoseconds = 104,
            MtimeSeconds = 112, MtimeNanoseconds = 120, DeviceMajor = 136, DeviceMinor = 140;
    }
}
