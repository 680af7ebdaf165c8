using System.CommandLine;
using System.CommandLine.Help;
using System.Text.Encodings.Web;
using System.Text.Json;
using BpfSharp.Linux;
using BpfSharp.Linux.Links;
using BpfSharp.Linux.Loading;

namespace BpfSharp.Cli;

/// <summary>
/// Runs the command line and turns library exceptions into bpftool-style errors (one "Error: ..." line on standard
/// error, or <c>{"error": "..."}</c> on standard output under <c>-j</c>) and the exit codes of <see cref="ExitCodes"/>.
/// </summary>
internal static class CliRunner
{
    /// <summary>Exit code of an internal error (a bug in bpfsharp, not in the input).</summary>
    public const int InternalErrorExitCode = ExitCodes.Internal;

    public static int Run(RootCommand root, string[] args)
    {
        bool json = MentionsJson(args), pretty = args.TakeWhile(a => a != "--").Any(a => a is "-p" or "--pretty");
        try
        {
            var parsed = root.Parse(args);
            json |= SafeIsJson(parsed);
            if (parsed.Errors.Count > 0 && parsed.Action is not HelpAction)
                // "Required command was not provided" says less than the unrecognized word that caused it.
                return ReportUsage(parsed, (parsed.Errors.FirstOrDefault(e => e.Message.Contains('\'')) ?? parsed.Errors[0]).Message, json, pretty);
            if (Safe(() => parsed.GetValue(GlobalOptions.LeadingBaseBtf)) is not null && !GlobalOptions.TakesBaseBtf(parsed.CommandResult.Command))
                return ReportUsage(parsed, $"-B/--base-btf means nothing for '{CommandPath(parsed.CommandResult.Command)}'; " +
                    $"it applies to: {string.Join(", ", VerbsTakingBaseBtf(root))}", json, pretty);
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
            return Report(e.InnerException!.Message, ExitCodeOf(e.InnerException!), json, pretty);
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (IsDocumented(e))
        {
            return Report(e.Message, ExitCodeOf(e), json, pretty);
        }
        catch (Exception e)
        {
            // Anything else is our bug: one line, no stack trace, and a request for a report.
            int code = Report($"internal error ({e.GetType().Name}: {FirstLine(e.Message)}); " +
                "this is a bug in bpfsharp, please report it with the command line and input (set BPFSHARP_DEBUG=1 for the stack trace)",
                ExitCodes.Internal, json, pretty);
            if (Environment.GetEnvironmentVariable("BPFSHARP_DEBUG") is "1") Console.Error.WriteLine(e);
            return code;
        }
    }

    /// <summary>The library's documented exceptions (docs/errors.md): the input, the file system or the kernel refused.</summary>
    internal static bool IsDocumented(Exception e) => e is BpfFormatException or BpfLoadException or BpfAttachException
        or BpfSyscallException or IOException or UnauthorizedAccessException or CliException;

    /// <summary>The exit code of a documented exception: the kernel's refusals apart from the input's.</summary>
    internal static int ExitCodeOf(Exception e) => e switch
    {
        CliException ce => ce.ExitCode,
        BpfSyscallException or BpfLoadException or BpfAttachException => ExitCodes.KernelRefused,
        _ => ExitCodes.BadInput,
    };

    private static int ReportUsage(ParseResult parsed, string message, bool json, bool pretty)
    {
        Report(message, ExitCodes.Usage, json, pretty);
        if (!json) Console.Error.WriteLine($"Try '{CommandPath(parsed.CommandResult.Command)} --help'.");
        return ExitCodes.Usage;
    }

    /// <summary>Prints an error as bpftool does: text on standard error, or a JSON object on standard output under -j.</summary>
    private static int Report(string message, int exitCode, bool json, bool pretty)
    {
        Console.Out.Flush();
        if (!json)
        {
            Console.Error.WriteLine($"Error: {message}");
            return exitCode;
        }
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = pretty, IndentSize = 4, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("error", message);
            w.WriteEndObject();
        }
        stdout.WriteByte((byte)'\n');
        return exitCode;
    }

    // A command line that does not parse still asked for JSON if it says -j: its error must be JSON too.
    private static bool MentionsJson(string[] args) =>
        args.TakeWhile(a => a != "--").Any(a => a is "-j" or "--json" or "-p" or "--pretty");

    private static bool SafeIsJson(ParseResult parsed) => Safe(() => GlobalOptions.IsJson(parsed));

    // A tree built without the global options (tests build partial ones) has no value for them.
    private static T? Safe<T>(Func<T> get)
    {
        try { return get(); }
        catch (InvalidOperationException) { return default; }
    }

    internal static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (Symbol? s = command; s is Command c; s = c.Parents.FirstOrDefault())
            names.Add(c is RootCommand ? "bpfsharp" : c.Name);
        names.Reverse();
        return string.Join(' ', names);
    }

    private static IEnumerable<string> VerbsTakingBaseBtf(Command root)
    {
        IEnumerable<(Command Command, string Path)> Walk(Command c, string path) =>
            c.Subcommands.SelectMany(s => Walk(s, path.Length == 0 ? s.Name : path + " " + s.Name)).Prepend((c, path));
        return Walk(root, "").Where(x => x.Path.Length > 0 && GlobalOptions.TakesBaseBtf(x.Command)).Select(x => x.Path);
    }

    private static string FirstLine(string text)
    {
        var newline = text.IndexOf('\n');
        return newline < 0 ? text : text[..newline];
    }
}

/// <summary>An error a command reports to the user (printed as "Error: ..."), with an exit code (<see cref="ExitCodes"/>).</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.BadInput) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>A mistake in the command line (exit <see cref="ExitCodes.Usage"/>).</summary>
    public static CliException Usage(string message) => new(message, ExitCodes.Usage);

    /// <summary>The kernel refused (exit <see cref="ExitCodes.KernelRefused"/>).</summary>
    public static CliException Kernel(string message) => new(message, ExitCodes.KernelRefused);
}
