namespace BpfSharp.Instructions;

/// <summary>Instruction classes: the low 3 bits of the opcode (<c>BPF_LD</c> ... <c>BPF_ALU64</c>).</summary>
public enum InstructionClass : byte
{
    /// <summary><c>BPF_LD</c>: ld_imm64 and the legacy packet loads (<c>BPF_ABS</c>, <c>BPF_IND</c>).</summary>
    Ld = 0,
    /// <summary><c>BPF_LDX</c>: loads from memory into a register.</summary>
    Ldx = 1,
    /// <summary><c>BPF_ST</c>: stores of an immediate.</summary>
    St = 2,
    /// <summary><c>BPF_STX</c>: stores of a register, and atomics.</summary>
    Stx = 3,
    /// <summary><c>BPF_ALU</c>: 32-bit arithmetic.</summary>
    Alu = 4,
    /// <summary><c>BPF_JMP</c>: 64-bit jumps, calls, exit.</summary>
    Jmp = 5,
    /// <summary><c>BPF_JMP32</c>: 32-bit jumps (and <c>gotol</c>).</summary>
    Jmp32 = 6,
    /// <summary><c>BPF_ALU64</c>: 64-bit arithmetic.</summary>
    Alu64 = 7,
}
