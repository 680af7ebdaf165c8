using BpfSharp.Cli.Output;

namespace BpfSharp.Cli.Commands;

/// <summary><c>prog pin PROG FILE</c>: pins a program in bpffs, like <c>bpftool prog pin</c>.</summary>
internal static class ProgPinCommand
{
    public static void AddTo(System.CommandLine.Command prog)
    {
        prog.Subcommands.Add(MapCommand.Verb("pin", "Pin PROG (id ID | pinned FILE | tag TAG | name NAME) at FILE on a bpffs mount.",
            "PROG FILE", Run));
    }

    private static int Run(IReadOnlyList<string> words, System.CommandLine.ParseResult result)
    {
        var output = new BpftoolOutput(result);
        if (words.Count != 3) throw CliException.Usage("expected PROG FILE");
        var at = 0;
        using var fd = ObjectSelectors.Program(words, ref at);
        MapEditCommand.PinObject(fd, words[at]);
        return MapEditCommand.Done(output);
    }
}
