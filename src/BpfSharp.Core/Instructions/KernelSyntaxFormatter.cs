using System.Globalization;

namespace BpfSharp.Instructions;

/// <summary>Names what the kernel's instruction printer cannot know by itself: call targets and 64-bit immediates.</summary>
public interface IKernelSyntaxSymbols
{
    /// <summary>The text after <c>call </c> for a call instruction (helper or kernel symbol name, <c>pc+N</c> target, ...).</summary>
    string CallTarget(Instruction call);

    /// <summary>The text for the immediate of an <c>ld_imm64</c> (<c>map[id:N]</c>, <c>0x…</c>, ...).</summary>
    string Immediate(Instruction first, Instruction second, ulong value);
}

/// <summary>
/// Formats instructions in the kernel's own syntax (<c>kernel/bpf/disasm.c</c>, as the verifier log and
/// <c>bpftool prog dump xlated</c> print them): <c>(b7) r1 = 0</c>, <c>(63) *(u32 *)(r10 -4) = r1</c>,
/// <c>(85) call bpf_map_lookup_elem#1</c>. This is the dialect of bpftool 7.1: instructions added to the ISA after
/// it (sign extension, signed division, the 32-bit <c>gotol</c>, per-CPU moves) print as that version prints them.
/// </summary>
public static class KernelSyntaxFormatter
{
    private static readonly string[] AluOperators =
        ["+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=", "endian", "", ""];

    private static readonly string[] JumpOperators =
        ["jmp", "==", ">", ">=", "&", "!=", "s>", "s>=", "call", "exit", "<", "<=", "s<", "s<=", "", ""];

    private static readonly string[] Sizes = ["u32", "u16", "u8", "u64"];

    private static readonly string[] ClassNames = ["ld", "ldx", "st", "stx", "alu", "jmp", "jmp32", "alu64"];

    /// <summary>Formats one instruction (without a trailing new line).</summary>
    /// <param name="insn">The instruction.</param>
    /// <param name="next">The following slot (the second half of an <c>ld_imm64</c>); default otherwise.</param>
    /// <param name="symbols">Names calls and immediates; null prints raw numbers.</param>
    public static string Format(Instruction insn, Instruction next, IKernelSyntaxSymbols? symbols = null)
    {
        var code = insn.Opcode;
        var op = $"({code:x2})";
        var cls = code & 0x07;
        var dst = insn.Destination;
        var src = insn.Source;
        var off = insn.Offset;
        var imm = insn.Immediate;
        var size = Sizes[(code >> 3) & 3];
        var mode = code & 0xe0;
        switch (cls)
        {
            case 4 or 7: // ALU, ALU64
            {
                var r = cls == 4 ? 'w' : 'r';
                var aluOp = code & 0xf0;
                if (aluOp == 0xd0)
                    return cls == 7 ? $"BUG_alu64_{code:x2}" : $"{op} r{dst} = {((code & 0x08) != 0 ? "be" : "le")}{I(imm)} r{dst}";
                if (aluOp == 0x80) return $"{op} {r}{dst} = -{r}{dst}";
                if ((code & 0x08) != 0) return $"{op} {r}{dst} {AluOperators[aluOp >> 4]} {r}{src}";
                return $"{op} {r}{dst} {AluOperators[aluOp >> 4]} {I(imm)}";
            }
            case 3: // STX
                if (mode == 0x60) return $"{op} *({size} *)(r{dst} {Signed(off)}) = r{src}";
                if (mode == 0xc0) return Atomic(op, insn, size);
                return $"BUG_{code:x2}";
            case 2: // ST
                if (mode != 0x60) return $"BUG_st_{code:x2}";
                return $"{op} *({size} *)(r{dst} {Signed(off)}) = {I(imm)}";
            case 1: // LDX
                if (mode != 0x60) return $"BUG_ldx_{code:x2}";
                return $"{op} r{dst} = *({size} *)(r{src} {Signed(off)})";
            case 0: // LD
                if (mode == 0x20) return $"{op} r0 = *({size} *)skb[{I(imm)}]";
                if (mode == 0x40) return $"{op} r0 = *({size} *)skb[r{src} + {I(imm)}]";
                if (mode == 0x00 && (code & 0x18) == 0x18)
                {
                    var value = ((ulong)(uint)next.Immediate << 32) | (uint)imm;
                    var text = symbols?.Immediate(insn, next, value) ?? $"0x{value:x}";
                    return $"{op} r{dst} = {text}";
                }
                return $"BUG_ld_{code:x2}";
            case 5 or 6: // JMP, JMP32
            {
                var jumpOp = code & 0xf0;
                var r = cls == 6 ? 'w' : 'r';
                if (jumpOp == 0x80)
                {
                    if (src == 1) return $"{op} call pc{symbols?.CallTarget(insn) ?? Signed(imm)}";
                    return $"{op} call {symbols?.CallTarget(insn) ?? "unknown"}#{I(imm)}";
                }
                if (code == 0x05) return $"{op} goto pc{Signed(off)}";
                if (code == 0x95) return $"{op} exit";
                if ((code & 0x08) != 0) return $"{op} if {r}{dst} {JumpOperators[jumpOp >> 4]} {r}{src} goto pc{Signed(off)}";
                return $"{op} if {r}{dst} {JumpOperators[jumpOp >> 4]} 0x{(uint)imm:x} goto pc{Signed(off)}";
            }
            default:
                return $"{op} {ClassNames[cls]}";
        }
    }

    private static string Atomic(string op, Instruction insn, string size)
    {
        var imm = insn.Immediate;
        var dst = insn.Destination;
        var src = insn.Source;
        var at = $"({size} *)(r{dst} {Signed(insn.Offset)})";
        var width = (insn.Opcode & 0x18) == 0x18 ? "64" : "";
        string? name = (imm & 0xf0) switch { 0x00 => "add", 0x50 => "and", 0x40 => "or", 0xa0 => "xor", _ => null };
        if (name is not null && (imm & ~0xf0) == 0) return $"{op} lock *{at} {AluOperators[imm >> 4]} r{src}";
        if (name is not null && (imm & ~0xf0) == 0x01) return $"{op} r{src} = atomic{width}_fetch_{name}({at}, r{src})";
        if (imm == 0xf1) return $"{op} r0 = atomic{width}_cmpxchg({at}, r0, r{src})";
        if (imm == 0xe1) return $"{op} r{src} = atomic{width}_xchg({at}, r{src})";
        return $"BUG_{insn.Opcode:x2}";
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>printf's <c>%+d</c>.</summary>
    private static string Signed(int value) => (value >= 0 ? "+" : "") + value.ToString(CultureInfo.InvariantCulture);
}
