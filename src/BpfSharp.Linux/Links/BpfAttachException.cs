using System.Runtime.InteropServices;

namespace BpfSharp.Linux.Links;

/// <summary>
/// Attaching failed outside the <c>bpf()</c> syscall: <c>perf_event_open</c>, an <c>ioctl</c>, a missing tracefs
/// or PMU, an unknown symbol or interface. Failures of <c>bpf()</c> itself raise <see cref="BpfSyscallException"/>.
/// </summary>
public sealed class BpfAttachException : Exception
{
    /// <summary>Creates the exception with a message and the errno that caused it (0 when none).</summary>
    public BpfAttachException(string message, int errno = 0, Exception? inner = null)
        : base(errno == 0 ? message : $"{message}: {Interop.Errno.Name(errno)} ({Marshal.GetPInvokeErrorMessage(errno)})", inner)
    {
        Errno = errno;
    }

    /// <summary>The errno value the kernel returned, or 0 when the failure was found in user space.</summary>
    public int Errno { get; }
}
