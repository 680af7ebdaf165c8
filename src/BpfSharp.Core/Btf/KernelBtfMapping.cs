using System.Runtime.InteropServices;

namespace BpfSharp.Btf;

/// <summary>
/// The running kernel's <c>/sys/kernel/btf/vmlinux</c>, mapped read-only. Linux 6.16 and later let this file be
/// mapped (private, read-only): the pages are the kernel's own BTF, so nothing is copied and no large array is
/// allocated. The BTF cannot change without a reboot, so one mapping serves every <see cref="BtfSpec.Load"/> of
/// the process and is never unmapped: spans handed out by a <see cref="BtfSpec"/> over it can never dangle.
/// Other kernels, other files and other systems fall back to reading the file.
/// </summary>
internal sealed partial class KernelBtfMapping
{
    /// <summary>The one file this applies to; module BTFs cannot be mapped.</summary>
    public const string VmlinuxPath = "/sys/kernel/btf/vmlinux";

    private static readonly Lock s_gate = new();
    private static KernelBtfMapping? s_mapping;
    private static bool s_unavailable;

    private KernelBtfMapping(nint address, int length)
    {
        Address = address;
        Length = length;
    }

    /// <summary>Start of the mapping.</summary>
    public nint Address { get; }

    /// <summary>Size of the BTF in bytes.</summary>
    public int Length { get; }

    /// <summary>The mapping of <paramref name="path"/> if it is the running kernel's vmlinux BTF and can be mapped, else null.</summary>
    public static KernelBtfMapping? TryGet(string path)
    {
        if (!OperatingSystem.IsLinux() || path != VmlinuxPath) return null;
        if (s_mapping is { } mapped) return mapped;
        lock (s_gate)
        {
            if (s_mapping is null && !s_unavailable)
            {
                s_mapping = TryMap();
                s_unavailable = s_mapping is null;
            }
            return s_mapping;
        }
    }

    private static unsafe KernelBtfMapping? TryMap()
    {
        int fd = Open(VmlinuxPath, OpenReadOnly | OpenCloseOnExec);
        if (fd < 0) return null;
        try
        {
            long size = RandomAccess.GetLength(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: false));
            if (size <= 0 || size > int.MaxValue) return null;
            nint address = Map(0, (nuint)size, ProtRead, MapPrivate, fd, 0);
            // Kernels before 6.16 refuse (the file has no mmap); MAP_FAILED is -1.
            return address == -1 ? null : new KernelBtfMapping(address, (int)size);
        }
        finally
        {
            Close(fd);
        }
    }

    private const int OpenReadOnly = 0, OpenCloseOnExec = 0x80000, ProtRead = 1, MapPrivate = 2;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "mmap")]
    private static partial nint Map(nint address, nuint length, int protection, int flags, int fd, long offset);
}
