using BpfSharp.Linux.Links;
using BpfSharp.Linux.Loading;

namespace BpfSharp.Linux.Tools;

/// <summary>
/// The outer frame of a command-line tool: what went wrong that a user can act on (no privileges, a kernel without
/// BTF or without a hook, a file that can't be read) is one line on standard error and exit code 1, never a stack trace.
/// </summary>
public static class ToolMain
{
    /// <summary>Runs <paramref name="body"/> and returns its exit code, or 1 after one line naming <paramref name="tool"/>.</summary>
    public static int Run(string tool, Func<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            return body();
        }
        catch (Exception e) when (e is BpfSyscallException or BpfLoadException or BpfAttachException
            or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            var hint = BpfSyscallException.IsPermissionProblem(e) ? " (run as root or with CAP_BPF and CAP_PERFMON)" : "";
            Console.Error.WriteLine($"{tool}: {e.Message}{hint}");
            return 1;
        }
    }
}
