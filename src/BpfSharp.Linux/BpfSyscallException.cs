using System.Runtime.InteropServices;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux;

/// <summary>
/// A <c>bpf()</c> syscall failed. Carries the command, the errno and, for <c>BPF_PROG_LOAD</c> and
/// <c>BPF_BTF_LOAD</c>, the verifier's log when the kernel produced one.
/// </summary>
public sealed class BpfSyscallException : Exception
{
    /// <summary>How many trailing log lines the message quotes; the full text is in <see cref="Log"/>.</summary>
    private const int SummaryLines = 3;

    /// <summary>Creates the exception for a failed command.</summary>
    public BpfSyscallException(BpfCommand command, int errno, string? log = null)
        : base(FormatMessage(command, errno, log))
    {
        Command = command;
        Errno = errno;
        Log = string.IsNullOrEmpty(log) ? null : log;
    }

    /// <summary>The command that failed (<c>BPF_PROG_LOAD</c> is <see cref="BpfCommand.ProgLoad"/>).</summary>
    public BpfCommand Command { get; }

    /// <summary>The errno value the kernel returned (e.g. 13 for <c>EACCES</c>).</summary>
    public int Errno { get; }

    /// <summary>The symbolic errno name (<c>EACCES</c>), or <c>errno N</c> for values without one here.</summary>
    public string ErrnoName => Interop.Errno.Name(Errno);

    /// <summary>The kernel's verifier (program) or BTF-checker log for this failure, or null if there was none.</summary>
    public string? Log { get; }

    /// <summary>True when the kernel refused for lack of privilege (<c>EPERM</c>).</summary>
    public bool IsPermissionDenied => Errno == Interop.Errno.EPERM;

    /// <summary>
    /// True when <paramref name="exception"/>, or one it wraps (a <see cref="Loading.BpfLoadException"/> around the
    /// syscall that failed), is the kernel refusing for lack of privilege: the one-line "run as root or with
    /// CAP_BPF" case a tool reports differently from a broken program.
    /// </summary>
    public static bool IsPermissionProblem(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is BpfSyscallException { IsPermissionDenied: true }) return true;
        return false;
    }

    private static string FormatMessage(BpfCommand command, int errno, string? log)
    {
        var text = $"BPF_{CommandName(command)} failed: {Interop.Errno.Name(errno)} ({Marshal.GetPInvokeErrorMessage(errno)})";
        if (string.IsNullOrEmpty(log)) return text;
        var lines = log.TrimEnd('\n', '\0').Split('\n');
        var tail = lines.AsSpan(Math.Max(0, lines.Length - SummaryLines));
        return text + ": " + string.Join(" | ", tail.ToArray());
    }

    /// <summary>The C spelling of a command without the <c>BPF_</c> prefix (<c>PROG_LOAD</c>).</summary>
    internal static string CommandName(BpfCommand command)
    {
        var name = command.ToString();
        if (!Enum.IsDefined(command)) return name;
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i])) builder.Append('_');
            builder.Append(char.ToUpperInvariant(name[i]));
        }
        return builder.ToString();
    }
}
