using BpfSharp.Linux.Interop;
using BpfSharp.Linux.Links;

namespace BpfSharp.Linux;

/// <summary>Pinning BPF objects in bpffs (<c>BPF_OBJ_PIN</c>) and opening pinned ones (<c>BPF_OBJ_GET</c>).</summary>
public static class ObjectPins
{
    /// <summary>Pins the object behind <paramref name="fd"/> at <paramref name="path"/> (on a bpffs mount).</summary>
    /// <exception cref="BpfSyscallException">The kernel refused (not bpffs, path exists, ...).</exception>
    public static unsafe void Pin(BpfFileDescriptor fd, string path)
    {
        ArgumentNullException.ThrowIfNull(fd);
        var name = BpfLink.CString(path);
        using var lease = fd.Borrow();
        fixed (byte* p = name)
        {
            var attr = new ObjPinAttr { Pathname = (ulong)p, BpfFd = (uint)lease.Fd };
            BpfSyscall.Bpf(BpfCommand.ObjPin, ref attr);
        }
    }

    /// <summary>Opens the object pinned at <paramref name="path"/> and returns a new fd for it.</summary>
    /// <exception cref="BpfSyscallException">Nothing is pinned there (<c>ENOENT</c>) or the kernel refused.</exception>
    public static unsafe BpfFileDescriptor Get(string path)
    {
        var name = BpfLink.CString(path);
        fixed (byte* p = name)
        {
            var attr = new ObjPinAttr { Pathname = (ulong)p };
            return BpfSyscall.BpfCreate(BpfCommand.ObjGet, ref attr);
        }
    }
}
