using System.CommandLine;

namespace BpfSharp.Cli.Commands;

/// <summary>The 'obj' verb group.</summary>
internal static class ObjCommand
{
    public static Command Create()
    {
        var command = new Command("obj", "Inspect BPF ELF objects: sections, programs, maps, globals, CO-RE records, disassembly.");
        return command;
    }
}
