namespace BpfSharp.Instructions;

/// <summary>
/// A symbol of a code section as <see cref="Disassembler"/> uses it: a label before the instruction at
/// <see cref="ByteOffset"/> and a reference point for jump targets (<c>&lt;name+0x18&gt;</c>).
/// </summary>
/// <param name="ByteOffset">Offset of the symbol within the section, in bytes (the ELF <c>st_value</c> in a relocatable object).</param>
/// <param name="Name">The symbol name.</param>
public readonly record struct DisassemblySymbol(long ByteOffset, string Name)
{
    /// <summary>A symbol at instruction slot <paramref name="slot"/> (byte offset <c>8 * slot</c>).</summary>
    public static DisassemblySymbol AtSlot(int slot, string name) => new((long)slot * Instruction.Size, name);
}
