using System.CommandLine;

namespace BpfSharp.Cli.Commands;

/// <summary>The 'map' verb group (bpftool's <c>map</c>): show, dump, lookup, getnext, update, delete, pin, freeze and the queue verbs.</summary>
internal static class MapCommand
{
    public static Command Create()
    {
        var command = new Command("map", "Inspect and edit BPF maps in the kernel, like 'bpftool map'.");
        MapShowCommand.AddTo(command);
        MapDumpCommand.AddTo(command);
        MapEditCommand.AddTo(command);
        return command;
    }

    /// <summary>A verb that takes bpftool-style words (<c>MAP [key DATA] ...</c>) after its name.</summary>
    internal static Command Verb(string name, string description, string usage, Func<IReadOnlyList<string>, System.CommandLine.ParseResult, int> action)
    {
        var words = new Argument<string[]>("args") { Description = usage, Arity = ArgumentArity.ZeroOrMore };
        var command = new Command(name, description) { words };
        command.SetAction(result => action(result.GetValue(words) ?? [], result));
        return command;
    }
}
