using System.CommandLine;

namespace BpfSharp.Cli;

/// <summary>Runs the command line and turns library exceptions into bpftool-style errors and exit codes.</summary>
internal static class CliRunner
{
    public static int Run(RootCommand root, string[] args)
    {
        try
        {
            return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is BpfFormatException or IOException or UnauthorizedAccessException or CliException)
        {
            Console.Out.Flush();
            Console.Error.WriteLine($"Error: {e.Message}");
            return e is CliException ce ? ce.ExitCode : 1;
        }
    }
}

/// <summary>An error a command reports to the user (printed as "Error: ..."), with an exit code.</summary>
internal sealed class CliException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
