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

    /// <summary>
    /// <c>root/name</c> for a name taken from an object file (a pin-by-name map, a program), refused unless it stays
    /// a direct child of <paramref name="root"/>: no '/', no NUL, not empty, '.' or '..', at most 255 bytes (a
    /// bpffs name) and the resolved path under the resolved root. Without this an absolute name pinned anywhere on
    /// bpffs and <c>../x</c> reused another application's pin.
    /// </summary>
    /// <exception cref="Loading.BpfLoadException">The name is not a safe pin name.</exception>
    internal static string ChildPath(string root, string name, string what)
    {
        if (name.Length == 0 || name is "." or ".." || name.Contains('/') || name.Contains('\0') ||
            System.Text.Encoding.UTF8.GetByteCount(name) > 255)
            throw new Loading.BpfLoadException($"{what} '{Printable(name)}': not a valid pin name (it would leave the pin root '{root}')");
        var fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var path = Path.GetFullPath(Path.Join(fullRoot, name));
        if (!string.Equals(Path.GetDirectoryName(path), fullRoot, StringComparison.Ordinal))
            throw new Loading.BpfLoadException($"{what} '{Printable(name)}': pin path '{path}' leaves the pin root '{fullRoot}'");
        return path;
    }

    private static string Printable(string s) =>
        string.Concat(s.Select(c => char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString()));

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
