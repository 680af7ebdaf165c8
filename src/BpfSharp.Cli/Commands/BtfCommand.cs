using System.CommandLine;

namespace BpfSharp.Cli.Commands;

/// <summary>The 'btf' verb group.</summary>
internal static class BtfCommand
{
    public static Command Create()
    {
        var command = new Command("btf", "Inspect BTF: dump types as raw records (bpftool's format), C or JSON.");
        return command;
    }
}
