using System.CommandLine;
using System.CommandLine.Help;

namespace BpfSharp.Cli;

/// <summary>Runs the command line and turns library exceptions into bpftool-style errors and exit codes.</summary>
internal static class CliRunner
{
    public static int Run(RootCommand root, string[] args)
    {
        try
        {
            var parsed = root.Parse(args);
            var configuration = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
            if (parsed.Action is not HelpAction) return parsed.Invoke(configuration);
            // Help goes out in one write: Console.Out flushes (one write call) per line.
            var help = new StringWriter();
            configuration.Output = help;
            int exit = parsed.Invoke(configuration);
            using (var stdout = Console.OpenStandardOutput()) stdout.Write(System.Text.Encoding.UTF8.GetBytes(help.ToString()));
            return exit;
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
