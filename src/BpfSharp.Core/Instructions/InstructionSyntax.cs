namespace BpfSharp.Instructions;

/// <summary>Text syntaxes of <see cref="InstructionFormatter"/>, each named after the tool whose output it reproduces.</summary>
public enum InstructionSyntax
{
    /// <summary>
    /// <c>llvm-objdump-19 -d --no-show-raw-insn</c> with default options (no <c>--mattr=+alu32</c>): hexadecimal
    /// immediates, <c>w</c> registers only for <c>BPF_ALU</c>/<c>BPF_JMP32</c>, <c>&lt;unknown&gt;</c> for slots
    /// LLVM does not decode.
    /// </summary>
    LlvmObjdump,
}
