using System.CommandLine;
using System.CommandLine.Help;
using BpfSharp.Linux;
using BpfSharp.Linux.Links;
using BpfSharp.Linux.Loading;

namespace BpfSharp.Cli;

/// <summary>Runs the command line and turns library exceptions into bpftool-style errors and exit codes.</summary>
internal static class CliRunner
{
    /// <summary>
    /// Exit code of an internal error (a bug in bpfsharp, not in the input): sysexits' EX_SOFTWARE, distinct from 1
    /// (the input or the kernel said no) and from the verbs' own codes.
    /// </summary>
    public const int InternalErrorExitCode = 70;

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
        catch (AggregateException e) when (e.InnerExceptions.Count == 1 && IsDocumented(e.InnerException!))
        {
            // Parallel work (core check) wraps what a worker threw.
            Console.Out.Flush();
            Console.Error.WriteLine($"Error: {e.InnerException!.Message}");
            return e.InnerException is CliException ce ? ce.ExitCode : 1;
        }
        catch (OperationCanceledException)
        {
            return 130; // interrupted, like a shell reports SIGINT
        }
        catch (Exception e) when (IsDocumented(e))
        {
            Console.Out.Flush();
            Console.Error.WriteLine($"Error: {e.Message}");
            return e is CliException ce ? ce.ExitCode : 1;
        }
        catch (Exception e)
        {
            // Anything else is our bug: one line, no stack trace, and a request for a report.
            Console.Out.Flush();
            Console.Error.WriteLine($"Error: internal error ({e.GetType().Name}: {FirstLine(e.Message)}); " +
                "this is a bug in bpfsharp, please report it with the command line and input (set BPFSHARP_DEBUG=1 for the stack trace)");
            if (Environment.GetEnvironmentVariable("BPFSHARP_DEBUG") is "1") Console.Error.WriteLine(e);
            return InternalErrorExitCode;
        }
    }

    /// <summary>The library's documented exceptions (docs/errors.md): the input, the file system or the kernel refused.</summary>
    internal static bool IsDocumented(Exception e) => e is BpfFormatException or BpfLoadException or BpfAttachException
        or BpfSyscallException or IOException or UnauthorizedAccessException or CliException;

    private static string FirstLine(string text)
    {
        var newline = text.IndexOf('\n');
        return newline < 0 ? text : text[..newline];
    }
}

/// <summary>An error a command reports to the user (printed as "Error: ..."), with an exit code.</summary>
internal sealed class CliException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
