using System.Runtime.InteropServices;

namespace BpfSharp.Linux.Interop;

/// <summary>
/// What <c>statx</c> says about a file, used to tell whether a cached parse of it is still current: device and
/// inode (a file recreated under the same name, such as a reloaded module's <c>/sys/kernel/btf/MOD</c>, gets a new
/// inode), size, and modification and change times. The change time cannot be set from user space, so a rewrite
/// in place is noticed even if the writer restores the modification time.
/// </summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode, long Size, long ModifiedNanoseconds, long ChangedNanoseconds)
{
    /// <summary>The identity of <paramref name="path"/> (one <c>statx</c> call), or null if it does not exist or cannot be read.</summary>
    public static unsafe FileIdentity? Of(string path)
    {
        if (s_noStatx) return FromFileInfo(path);
        byte* buffer = stackalloc byte[LibC.StatxSize];
        try
        {
            if (LibC.Statx(LibC.AtFdCwd, path, 0, LibC.StatxBasicStats, buffer) != 0) return null;
        }
        catch (EntryPointNotFoundException)
        {
            s_noStatx = true; // a C library without statx (glibc before 2.28, old musl)
            return FromFileInfo(path);
        }
        var s = new ReadOnlySpan<byte>(buffer, LibC.StatxSize);
        ulong device = ((ulong)U32(s, LibC.StatxField.DeviceMajor) << 32) | U32(s, LibC.StatxField.DeviceMinor);
        return new FileIdentity(device, U64(s, LibC.StatxField.Inode), (long)U64(s, LibC.StatxField.Size),
            Nanoseconds(s, LibC.StatxField.MtimeSeconds, LibC.StatxField.MtimeNanoseconds),
            Nanoseconds(s, LibC.StatxField.CtimeSeconds, LibC.StatxField.CtimeNanoseconds));
    }

    private static volatile bool s_noStatx;

    /// <summary>Size and modification time only: enough to notice a replaced sysfs file, weaker for regular files.</summary>
    private static FileIdentity? FromFileInfo(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) return null;
        long modified = (info.LastWriteTimeUtc - DateTime.UnixEpoch).Ticks * 100;
        return new FileIdentity(0, 0, info.Length, modified, modified);
    }

    private static uint U32(ReadOnlySpan<byte> s, int at) => MemoryMarshal.Read<uint>(s[at..]);
    private static ulong U64(ReadOnlySpan<byte> s, int at) => MemoryMarshal.Read<ulong>(s[at..]);
    private static long Nanoseconds(ReadOnlySpan<byte> s, int seconds, int nanoseconds) =>
        MemoryMarshal.Read<long>(s[seconds..]) * 1_000_000_000L + U32(s, nanoseconds);
}
