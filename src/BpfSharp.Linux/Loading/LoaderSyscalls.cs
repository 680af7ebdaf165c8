using System.Runtime.InteropServices;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Loading;

/// <summary>The few <c>bpf()</c> commands the loader needs beyond map and program creation: get-if-pinned, freeze, info.</summary>
internal static unsafe class LoaderSyscalls
{
    [StructLayout(LayoutKind.Explicit, Size = 4)]
    private struct MapFreezeAttr
    {
        [FieldOffset(0)] public uint MapFd;
    }

    /// <summary><c>BPF_OBJ_GET</c>: opens a pinned object; returns null if nothing is pinned there.</summary>
    public static BpfFileDescriptor? TryGetPinned(string path)
    {
        var bytes = Links.BpfLink.CString(path);
        fixed (byte* p = bytes)
        {
            var attr = new ObjPinAttr { Pathname = (ulong)p };
            int result = BpfSyscall.TryBpf(BpfCommand.ObjGet, ref attr);
            if (result == -Errno.ENOENT) return null;
            if (result < 0) BpfSyscall.ThrowFailed(BpfCommand.ObjGet, -result);
            return new BpfFileDescriptor(result);
        }
    }

    /// <summary><c>BPF_MAP_FREEZE</c>: makes a map read-only for user space from now on.</summary>
    public static void Freeze(BpfFileDescriptor fd)
    {
        using var lease = fd.Borrow();
        var attr = new MapFreezeAttr { MapFd = (uint)lease.Fd };
        BpfSyscall.Bpf(BpfCommand.MapFreeze, ref attr);
    }

    /// <summary>Reads a map's info.</summary>
    public static MapInfo GetMapInfo(BpfFileDescriptor fd)
    {
        var info = default(MapInfo);
        BpfSyscall.GetInfo(fd, ref info);
        return info;
    }

    /// <summary><c>BPF_MAP_CREATE</c> with every attribute; returns the fd or the negated errno.</summary>
    public static int TryCreateMap(ref MapCreateAttr attr) => BpfSyscall.TryBpf(BpfCommand.MapCreate, ref attr);

    /// <summary>Throws the standard exception for a failed command.</summary>
    public static void ThrowFailed(BpfCommand command, int errno) => BpfSyscall.ThrowFailed(command, errno);
}
