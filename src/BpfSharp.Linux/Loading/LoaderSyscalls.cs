using System.Runtime.InteropServices;
using System.Text;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Loading;

/// <summary>The few <c>bpf()</c> commands the loader needs beyond map and program creation: pin, get, freeze, info.</summary>
internal static unsafe class LoaderSyscalls
{
    [StructLayout(LayoutKind.Explicit, Size = 20)]
    private struct ObjPinAttr
    {
        [FieldOffset(0)] public ulong PathName;
        [FieldOffset(8)] public uint BpfFd;
        [FieldOffset(12)] public uint FileFlags;
        [FieldOffset(16)] public int PathFd;
    }

    [StructLayout(LayoutKind.Explicit, Size = 4)]
    private struct MapFreezeAttr
    {
        [FieldOffset(0)] public uint MapFd;
    }

    /// <summary>The leading fields of <c>struct bpf_map_info</c>.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 88)]
    internal struct MapInfo
    {
        [FieldOffset(0)] public uint Type;
        [FieldOffset(4)] public uint Id;
        [FieldOffset(8)] public uint KeySize;
        [FieldOffset(12)] public uint ValueSize;
        [FieldOffset(16)] public uint MaxEntries;
        [FieldOffset(20)] public uint MapFlags;
        [FieldOffset(80)] public ulong MapExtra;
    }

    private static byte[] PathBytes(string path)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }

    /// <summary><c>BPF_OBJ_PIN</c>: pins an fd at a bpffs path.</summary>
    public static void Pin(BpfFileDescriptor fd, string path)
    {
        var bytes = PathBytes(path);
        using var lease = fd.Borrow();
        fixed (byte* p = bytes)
        {
            var attr = new ObjPinAttr { PathName = (ulong)p, BpfFd = (uint)lease.Fd };
            BpfSyscall.Bpf(BpfCommand.ObjPin, ref attr);
        }
    }

    /// <summary><c>BPF_OBJ_GET</c>: opens a pinned object; returns null if nothing is pinned there.</summary>
    public static BpfFileDescriptor? TryGetPinned(string path)
    {
        var bytes = PathBytes(path);
        fixed (byte* p = bytes)
        {
            var attr = new ObjPinAttr { PathName = (ulong)p };
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
