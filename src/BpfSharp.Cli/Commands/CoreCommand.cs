using System.CommandLine;

namespace BpfSharp.Cli.Commands;

/// <summary>The 'core' verb group.</summary>
internal static class CoreCommand
{
    public static Command Create()
    {
        var command = new Command("core", "CO-RE relocation: resolve an object's relocations against kernel BTF, explain them.");
        return command;
    }
}
