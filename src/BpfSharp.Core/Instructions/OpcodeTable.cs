namespace BpfSharp.Instructions;

/// <summary>Which opcode bytes the eBPF instruction set defines.</summary>
internal static class OpcodeTable
{
    public static bool IsDefined(byte opcode)
    {
        int op = opcode & 0xf0;
        bool x = (opcode & 0x08) != 0;
        switch ((InstructionClass)(opcode & 0x07))
        {
            case InstructionClass.Alu:
            case InstructionClass.Alu64:
                if (op == (int)AluOperation.Neg) return !x;
                if (op == (int)AluOperation.End) return (opcode & 0x07) == (int)InstructionClass.Alu || !x; // bswap is ALU64 | BPF_TO_LE only
                return op <= (int)AluOperation.End;
            case InstructionClass.Jmp:
                return op switch
                {
                    (int)JumpOperation.Ja => !x,
                    (int)JumpOperation.Call => !x,
                    (int)JumpOperation.Exit => !x,
                    (int)JumpOperation.Jcond => !x,
                    0xf0 => false,
                    _ => true,
                };
            case InstructionClass.Jmp32:
                return op switch
                {
                    (int)JumpOperation.Ja => !x,
                    (int)JumpOperation.Call or (int)JumpOperation.Exit or (int)JumpOperation.Jcond or 0xf0 => false,
                    _ => true,
                };
            case InstructionClass.Ld:
            {
                var mode = (MemoryMode)(opcode & 0xe0);
                var size = (MemorySize)(opcode & 0x18);
                return mode switch
                {
                    MemoryMode.Imm => size == MemorySize.DoubleWord,
                    MemoryMode.Abs or MemoryMode.Ind => size != MemorySize.DoubleWord,
                    _ => false,
                };
            }
            case InstructionClass.Ldx:
            {
                var mode = (MemoryMode)(opcode & 0xe0);
                return mode == MemoryMode.Mem || (mode == MemoryMode.MemSx && (MemorySize)(opcode & 0x18) != MemorySize.DoubleWord);
            }
            case InstructionClass.St:
                return (MemoryMode)(opcode & 0xe0) == MemoryMode.Mem;
            default: // Stx
            {
                var mode = (MemoryMode)(opcode & 0xe0);
                return mode is MemoryMode.Mem or MemoryMode.Atomic;
            }
        }
    }
}
