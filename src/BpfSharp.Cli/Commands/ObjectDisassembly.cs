using BpfSharp.Objects;

namespace BpfSharp.Cli.Commands;

/// <summary>Per-program disassembly in llvm-objdump's syntax.</summary>
internal static class ObjectDisassembly
{
    public static void Write(ObjectSpec obj, TextWriter output)
    {
        throw new CliException("obj disasm: the instruction formatter is not available in this build yet");
    }
}
