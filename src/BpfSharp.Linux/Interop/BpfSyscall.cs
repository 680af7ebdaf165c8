using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BpfSharp.Linux.Interop;

/// <summary>
/// The single choke point for the <c>bpf(int cmd, union bpf_attr *attr, unsigned int size)</c> syscall.
/// Callers pass one of the attr structs by reference; the kernel may write results back into it.
/// </summary>
internal static unsafe class BpfSyscall
{
    /// <summary>How often an <c>EAGAIN</c> from <c>BPF_PROG_LOAD</c> is retried (libbpf does the same).</summary>
    private const int ProgLoadAgainRetries = 5;

    private static readonly long SyscallNumber = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 321,
        Architecture.Arm64 => 280,
        Architecture.RiscV64 => 280,
        Architecture.LoongArch64 => 280,
        Architecture.X86 => 357,
        Architecture.Arm => 386,
        Architecture.S390x => 351,
        Architecture.Ppc64le => 361,
        _ => -1,
    };

    /// <summary>
    /// Calls <c>bpf(cmd, &amp;attr, sizeof(attr))</c>. Returns the non-negative result (an fd for the creating
    /// commands, 0 otherwise) or the negated errno. <c>EINTR</c> is retried, and so is <c>EAGAIN</c> for
    /// <c>BPF_PROG_LOAD</c>.
    /// </summary>
    public static int TryBpf<TAttr>(BpfCommand command, ref TAttr attr) where TAttr : unmanaged
    {
        if (!OperatingSystem.IsLinux() || SyscallNumber < 0)
            throw new PlatformNotSupportedException("The bpf() syscall needs Linux on a supported architecture.");
        var again = 0;
        while (true)
        {
            long result;
            fixed (TAttr* p = &attr)
                result = LibC.Syscall(SyscallNumber, (long)command, p, sizeof(TAttr));
            if (result >= 0) return (int)result;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.EINTR) continue;
            if (errno == Errno.EAGAIN && command == BpfCommand.ProgLoad && again++ < ProgLoadAgainRetries) continue;
            return -errno;
        }
    }

    /// <summary>Like <see cref="TryBpf{TAttr}"/> but throws <see cref="BpfSyscallException"/> on failure.</summary>
    public static int Bpf<TAttr>(BpfCommand command, ref TAttr attr) where TAttr : unmanaged
    {
        var result = TryBpf(command, ref attr);
        if (result < 0) ThrowFailed(command, -result);
        return result;
    }

    /// <summary>Runs a creating command and wraps the new fd.</summary>
    public static BpfFileDescriptor BpfCreate<TAttr>(BpfCommand command, ref TAttr attr) where TAttr : unmanaged =>
        new(Bpf(command, ref attr));

    /// <summary>
    /// <c>BPF_OBJ_GET_INFO_BY_FD</c> into a caller-owned info struct prefix; returns the length the kernel filled.
    /// The kernel accepts a shorter <c>info_len</c> than its own struct, so only the fields we read are passed.
    /// </summary>
    public static int GetInfo<TInfo>(BpfFileDescriptor fd, ref TInfo info) where TInfo : unmanaged
    {
        using var lease = fd.Borrow();
        fixed (TInfo* p = &info)
        {
            var attr = new ObjGetInfoByFdAttr { BpfFd = (uint)lease.Fd, InfoLen = (uint)sizeof(TInfo), Info = (ulong)p };
            Bpf(BpfCommand.ObjGetInfoByFd, ref attr);
            return (int)attr.InfoLen;
        }
    }

    /// <summary>Throws <see cref="BpfSyscallException"/> for a failed command.</summary>
    [DoesNotReturn]
    public static void ThrowFailed(BpfCommand command, int errno, string? log = null) =>
        throw new BpfSyscallException(command, errno, log);

    /// <summary>Pointer to the first element of a pinned span as the u64 the kernel expects (0 when empty).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Address(void* pointer) => (ulong)pointer;
}
