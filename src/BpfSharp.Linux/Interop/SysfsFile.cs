using System.Runtime.InteropServices;

namespace BpfSharp.Linux.Interop;

/// <summary>Reads whole sysfs binary files quickly.</summary>
internal static unsafe class SysfsFile
{
    private const int MapPrivate = 2;

    /// <summary>
    /// The contents of <paramref name="path"/>. sysfs hands out binary attributes at most a page per
    /// <c>read</c>, so the 5+ MB vmlinux BTF takes over a thousand system calls; since Linux 6.16 the kernel lets
    /// it be mapped read-only and private instead, which is a single call and a copy. Other files, and kernels
    /// that refuse the mapping, are read normally.
    /// </summary>
    public static byte[] ReadAllBytes(string path)
    {
        using (var handle = File.OpenHandle(path))
        {
            long length = RandomAccess.GetLength(handle);
            if (length > 0 && length <= Array.MaxLength)
            {
                bool referenced = false;
                try
                {
                    handle.DangerousAddRef(ref referenced);
                    var mapped = LibC.Mmap(null, (nuint)length, LibC.ProtRead, MapPrivate, (int)handle.DangerousGetHandle(), 0);
                    if (mapped != LibC.MapFailed)
                    {
                        try
                        {
                            var bytes = GC.AllocateUninitializedArray<byte>((int)length);
                            new ReadOnlySpan<byte>(mapped, (int)length).CopyTo(bytes);
                            return bytes;
                        }
                        finally
                        {
                            LibC.Munmap(mapped, (nuint)length);
                        }
                    }
                }
                finally
                {
                    if (referenced) handle.DangerousRelease();
                }
            }
        }
        return File.ReadAllBytes(path);
    }
}
