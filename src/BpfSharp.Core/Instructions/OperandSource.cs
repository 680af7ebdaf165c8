namespace BpfSharp.Instructions;

/// <summary>The source bit of ALU and jump opcodes (bit 3).</summary>
public enum OperandSource : byte
{
    /// <summary><c>BPF_K</c>: the 32-bit immediate. For <c>BPF_END</c> this value is <c>BPF_TO_LE</c>.</summary>
    Immediate = 0x00,
    /// <summary><c>BPF_X</c>: the source register. For <c>BPF_END</c> this value is <c>BPF_TO_BE</c>.</summary>
    Register = 0x08,
}
