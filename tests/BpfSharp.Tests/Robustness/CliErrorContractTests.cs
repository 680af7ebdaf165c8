using System.CommandLine;
using BpfSharp.Cli;

namespace BpfSharp.Tests.Robustness;

/// <summary>The CLI's half of the error contract: one line, never a stack trace, exit 70 for our own bugs.</summary>
[Collection(ConsoleCollection.Name)]
public class CliErrorContractTests
{
    private static (int Exit, string Error) Run(Exception toThrow)
    {
        var root = new RootCommand();
        var verb = new Command("boom");
        verb.SetAction(new Func<ParseResult, int>(_ => throw toThrow));
        root.Subcommands.Add(verb);
        var previous = Console.Error;
        var error = new StringWriter();
        Console.SetError(error);
        try { return (CliRunner.Run(root, ["boom"]), error.ToString()); }
        finally { Console.SetError(previous); }
    }

    [Fact]
    public void AnInternalErrorIsOneLineWithItsOwnExitCode()
    {
        var (exit, error) = Run(new InvalidOperationException("the impossible happened"));
        Assert.Equal(CliRunner.InternalErrorExitCode, exit);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("Error: internal error (InvalidOperationException: the impossible happened)", line);
        Assert.Contains("please report", line);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void DocumentedErrorsAreOneLineWithTheirExitCode()
    {
        foreach (var (e, code) in new (Exception, int)[]
        {
            (new BpfFormatException(BpfFormatError.ElfBadHeader, BpfFormat.Elf, "not an ELF file", filePath: "x.o"), ExitCodes.BadInput),
            (new IOException("x.o: is a directory (EISDIR)"), ExitCodes.BadInput),
            (new BpfSharp.Linux.Loading.BpfLoadException("map 'm': failed"), ExitCodes.KernelRefused),
            (new BpfSharp.Linux.BpfSyscallException(BpfSharp.Linux.BpfCommand.MapCreate, 1), ExitCodes.KernelRefused),
            (new AggregateException(new IOException("wrapped")), ExitCodes.BadInput),
            (CliException.Usage("no such keyword"), ExitCodes.Usage),
        })
        {
            var (exit, error) = Run(e);
            Assert.Equal(code, exit);
            Assert.StartsWith("Error: ", Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "Console redirection";
}
