using System.Runtime.InteropServices;

namespace BpfSharp.Linux.Links;

/// <summary>
/// Attaching failed outside the <c>bpf()</c> syscall: <c>perf_event_open</c>, an <c>ioctl</c>, a missing tracefs
/// or PMU, an unknown symbol or interface. Failures of <c>bpf()</c> itself raise <see cref="BpfSyscallException"/>,
/// except from <c>BpfObject.AttachAll</c>, which wraps every failure in this exception naming the program.
/// </summary>
public sealed class BpfAttachException : Exception
{
    /// <summary>Creates the exception with a message and the errno that caused it (0 when none).</summary>
    public BpfAttachException(string message, int errno = 0, Exception? inner = null)
        : base(errno == 0 ? message : $"{message}: {Interop.Errno.Name(errno)} ({Marshal.GetPInvokeErrorMessage(errno)})", inner)
    {
        Errno = errno;
    }

    /// <summary>A failure of one program or struct_ops map of an object: <paramref name="what"/> names it, the
    /// inner exception's message says what failed, and its errno is kept.</summary>
    internal static BpfAttachException For(string what, Exception inner) =>
        new($"{what}: {inner.Message}", inner) { Errno = inner switch { BpfSyscallException s => s.Errno, BpfAttachException a => a.Errno, _ => 0 } };

    private BpfAttachException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>The errno value the kernel returned, or 0 when the failure was found in user space.</summary>
    public int Errno { get; private init; }
}
