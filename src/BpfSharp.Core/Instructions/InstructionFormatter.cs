using System.Buffers;
using System.Text;

namespace BpfSharp.Instructions;

/// <summary>
/// Formats instructions as text. <see cref="InstructionSyntax.LlvmObjdump"/> reproduces the instruction column of
/// <c>llvm-objdump-19 -d --no-show-raw-insn</c> exactly, including which slots it shows as <c>&lt;unknown&gt;</c>.
/// Jump targets (<c>&lt;prog+0x40&gt;</c>) and the index column are added by <see cref="Disassembler"/>.
/// </summary>
/// <remarks>
/// Every method takes the slots starting at the instruction to format, so that a ld_imm64 can read its second
/// slot, and reports how many slots the instruction used (2 for a decodable ld_imm64, otherwise 1). Nothing
/// is allocated except by the <see cref="string"/>-returning overload.
/// </remarks>
public static class InstructionFormatter
{
    /// <summary>Upper bound on the length of one formatted instruction.</summary>
    public const int MaxLength = 64;

    /// <summary>What llvm-objdump prints for a slot it cannot decode.</summary>
    public const string Unknown = "<unknown>";

    private static readonly string?[] AluOperators =
        ["+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", null, "%=", "^=", null, "s>>=", null, null, null];

    private static readonly string?[] JumpOperators =
        [null, "==", ">", ">=", "&", "!=", "s>", "s>=", null, null, "<", "<=", "s<", "s<=", null, null];

    private static readonly string[] UnsignedSizes = ["u32", "u16", "u8", "u64"];
    private static readonly string[] SignedSizes = ["s32", "s16", "s8", "s64"];

    /// <summary>
    /// Formats the instruction at <c>slots[0]</c> into <paramref name="destination"/>.
    /// </summary>
    /// <param name="slots">The instruction and the slots after it (a ld_imm64 needs its second slot).</param>
    /// <param name="destination">Receives the text; <see cref="MaxLength"/> characters always suffice.</param>
    /// <param name="charsWritten">Characters written.</param>
    /// <param name="slotsConsumed">1, or 2 for a ld_imm64 that was decoded.</param>
    /// <param name="syntax">The text syntax.</param>
    /// <returns>False if <paramref name="destination"/> was too small.</returns>
    public static bool TryFormat(ReadOnlySpan<Instruction> slots, Span<char> destination, out int charsWritten,
        out int slotsConsumed, InstructionSyntax syntax = InstructionSyntax.LlvmObjdump)
    {
        if (slots.IsEmpty) throw new ArgumentException("no instruction to format", nameof(slots));
        if (syntax != InstructionSyntax.LlvmObjdump) throw new ArgumentOutOfRangeException(nameof(syntax), syntax, "unsupported syntax");
        var writer = new CharWriter(destination);
        if (!WriteLlvm(ref writer, slots, out slotsConsumed))
        {
            writer = new CharWriter(destination);
            writer.Append(Unknown);
            slotsConsumed = 1;
        }
        charsWritten = writer.Overflowed ? 0 : writer.Length;
        return !writer.Overflowed;
    }

    /// <summary>Appends the instruction at <c>slots[0]</c> to <paramref name="builder"/>; returns the slots consumed.</summary>
    public static int Format(ReadOnlySpan<Instruction> slots, StringBuilder builder, InstructionSyntax syntax = InstructionSyntax.LlvmObjdump)
    {
        ArgumentNullException.ThrowIfNull(builder);
        Span<char> buffer = stackalloc char[MaxLength];
        TryFormat(slots, buffer, out int written, out int consumed, syntax);
        builder.Append(buffer[..written]);
        return consumed;
    }

    /// <summary>Appends the instruction at <c>slots[0]</c> to <paramref name="writer"/>; returns the slots consumed.</summary>
    public static int Format(ReadOnlySpan<Instruction> slots, IBufferWriter<char> writer, InstructionSyntax syntax = InstructionSyntax.LlvmObjdump)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var span = writer.GetSpan(MaxLength);
        TryFormat(slots, span, out int written, out int consumed, syntax);
        writer.Advance(written);
        return consumed;
    }

    /// <summary>Writes the instruction at <c>slots[0]</c> to <paramref name="writer"/>; returns the slots consumed.</summary>
    public static int Format(ReadOnlySpan<Instruction> slots, TextWriter writer, InstructionSyntax syntax = InstructionSyntax.LlvmObjdump)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<char> buffer = stackalloc char[MaxLength];
        TryFormat(slots, buffer, out int written, out int consumed, syntax);
        writer.Write(buffer[..written]);
        return consumed;
    }

    /// <summary>The instruction at <c>slots[0]</c> as a new string.</summary>
    public static string Format(ReadOnlySpan<Instruction> slots, InstructionSyntax syntax = InstructionSyntax.LlvmObjdump)
    {
        Span<char> buffer = stackalloc char[MaxLength];
        TryFormat(slots, buffer, out int written, out _, syntax);
        return new string(buffer[..written]);
    }

    /// <summary>
    /// True if llvm-objdump-19 decodes the instruction at <c>slots[0]</c> (rather than printing <c>&lt;unknown&gt;</c>).
    /// A ld_imm64 needs its second slot in <paramref name="slots"/>.
    /// </summary>
    public static bool IsDecodableByLlvm(ReadOnlySpan<Instruction> slots)
    {
        if (slots.IsEmpty) return false;
        Span<char> scratch = stackalloc char[MaxLength];
        var writer = new CharWriter(scratch);
        return WriteLlvm(ref writer, slots, out _);
    }

    /// <summary>
    /// True if llvm-objdump treats the instruction as a branch and annotates its target: <c>goto</c>,
    /// <c>gotol</c>, <c>may_goto</c> and conditional jumps (not calls).
    /// </summary>
    internal static bool IsLlvmBranch(Instruction instruction) =>
        instruction.IsJump && instruction.JumpOperation != JumpOperation.Call && instruction.JumpOperation != JumpOperation.Exit;

    // Mirrors LLVM 19's BPF decoder tables (DecoderTableBPF64: the table llvm-objdump uses without +alu32):
    // which fields each form fixes, which it ignores, and that registers above r11 do not decode.
    private static bool WriteLlvm(ref CharWriter w, ReadOnlySpan<Instruction> slots, out int consumed)
    {
        consumed = 1;
        var insn = slots[0];
        int code = insn.Opcode, dst = insn.Destination, src = insn.Source, off = insn.Offset, imm = insn.Immediate;
        int op = code & 0xf0;
        bool x = (code & 0x08) != 0;
        switch (insn.Class)
        {
            case InstructionClass.Alu:
            case InstructionClass.Alu64:
                return WriteAlu(ref w, insn.Class == InstructionClass.Alu64, op, x, dst, src, off, imm);

            case InstructionClass.Jmp:
            case InstructionClass.Jmp32:
                return WriteJump(ref w, insn.Class == InstructionClass.Jmp, op, x, dst, src, off, imm);

            case InstructionClass.Ld:
            {
                var mode = (MemoryMode)(code & 0xe0);
                var size = (MemorySize)(code & 0x18);
                if (mode == MemoryMode.Imm && size == MemorySize.DoubleWord)
                {
                    if (off != 0 || dst > 11 || slots.Length < 2) return false;
                    long value = Instruction.CombineImmediate64(insn, slots[1]);
                    consumed = 2;
                    if (src == 0)
                    {
                        w.AppendRegister('r', dst);
                        w.Append(" = ");
                        w.AppendSignedHex(value);
                        w.Append(" ll");
                    }
                    else
                    {
                        // LLVM 19 folds the second slot into the pseudo operand, not the immediate: the printed
                        // immediate is the first slot's 32 bits, zero-extended.
                        w.Append("ld_pseudo\t");
                        w.AppendRegister('r', dst);
                        w.Append(", ");
                        w.AppendSignedHex(src);
                        w.Append(", ");
                        w.AppendSignedHex((uint)imm);
                    }
                    return true;
                }
                if ((mode != MemoryMode.Abs && mode != MemoryMode.Ind) || size == MemorySize.DoubleWord) return false;
                if (mode == MemoryMode.Ind && src > 11) return false;
                w.Append("r0 = *(");
                w.Append(UnsignedSizes[(int)size >> 3]);
                w.Append(" *)skb[");
                if (mode == MemoryMode.Abs) w.AppendSignedHex(imm);
                else w.AppendRegister('r', src);
                w.Append(']');
                return true;
            }

            case InstructionClass.Ldx:
            {
                var mode = (MemoryMode)(code & 0xe0);
                var size = (MemorySize)(code & 0x18);
                bool signed = mode == MemoryMode.MemSx;
                if (!(mode == MemoryMode.Mem || (signed && size != MemorySize.DoubleWord))) return false;
                if (dst > 11 || src > 11) return false;
                w.AppendRegister('r', dst);
                w.Append(" = *(");
                w.Append((signed ? SignedSizes : UnsignedSizes)[(int)size >> 3]);
                w.Append(" *)(");
                WriteAddress(ref w, src, off);
                w.Append(')');
                return true;
            }

            case InstructionClass.St:
            {
                if ((MemoryMode)(code & 0xe0) != MemoryMode.Mem || dst > 11) return false;
                w.Append("*(");
                w.Append(UnsignedSizes[(code & 0x18) >> 3]);
                w.Append(" *)(");
                WriteAddress(ref w, dst, off);
                w.Append(") = ");
                w.AppendSignedHex(imm);
                return true;
            }

            default: // Stx
                return WriteStx(ref w, code, dst, src, off, imm);
        }
    }

    private static bool WriteAlu(ref CharWriter w, bool is64, int op, bool x, int dst, int src, int off, int imm)
    {
        char r = is64 ? 'r' : 'w';
        if (dst > 11) return false;
        switch ((AluOperation)op)
        {
            case AluOperation.Neg:
                if (x) return false;
                w.AppendRegister(r, dst);
                w.Append(" = -");
                w.AppendRegister(r, dst);
                return true;
            case AluOperation.End:
            {
                if (imm is not (16 or 32 or 64)) return false;
                string name;
                if (is64)
                {
                    if (x) return false;
                    name = "bswap";
                }
                else
                {
                    name = x ? "be" : "le";
                }
                w.AppendRegister('r', dst);
                w.Append(" = ");
                w.Append(name);
                w.AppendDecimal(imm);
                w.Append(' ');
                w.AppendRegister('r', dst);
                return true;
            }
            case AluOperation.Mov:
                if (x && src > 11) return false;
                if (x && is64 && off == 1)
                {
                    // addr_space_cast (arena pointers): imm = dst_as << 16 | src_as.
                    w.AppendRegister('r', dst);
                    w.Append(" = addr_space_cast(");
                    w.AppendRegister('r', src);
                    w.Append(", ");
                    w.AppendSignedHex((uint)imm >> 16);
                    w.Append(", ");
                    w.AppendSignedHex(imm & 0xffff);
                    w.Append(')');
                    return true;
                }
                if (x)
                {
                    if (!(off == 0 || off == 8 || off == 16 || (is64 && off == 32))) return false;
                    w.AppendRegister(r, dst);
                    w.Append(" = ");
                    if (off != 0)
                    {
                        w.Append("(s");
                        w.AppendDecimal(off);
                        w.Append(')');
                    }
                    w.AppendRegister(r, src);
                    return true;
                }
                if (off != 0) return false;
                w.AppendRegister(r, dst);
                w.Append(" = ");
                w.AppendSignedHex(imm);
                return true;
            case AluOperation.Div:
            case AluOperation.Mod:
                if (off is not (0 or 1)) return false;
                break;
            default:
                if (op > (int)AluOperation.End || off != 0) return false;
                break;
        }
        if (x && src > 11) return false;
        w.AppendRegister(r, dst);
        w.Append(' ');
        if (off == 1) w.Append('s');
        w.Append(AluOperators[op >> 4]);
        w.Append(' ');
        if (x) w.AppendRegister(r, src);
        else w.AppendSignedHex(imm);
        return true;
    }

    private static bool WriteJump(ref CharWriter w, bool is64, int op, bool x, int dst, int src, int off, int imm)
    {
        switch ((JumpOperation)op)
        {
            case JumpOperation.Ja:
                if (x) return false;
                w.Append(is64 ? "goto " : "gotol ");
                w.AppendDisplacement(is64 ? off : imm);
                return true;
            case JumpOperation.Call:
                if (!is64) return false;
                if (x)
                {
                    if (dst > 11) return false;
                    w.Append("callx ");
                    w.AppendRegister('r', dst);
                    return true;
                }
                w.Append("call ");
                w.AppendSignedHex(imm);
                return true;
            case JumpOperation.Exit:
                if (!is64 || x || imm != 0) return false;
                w.Append("exit");
                return true;
            case JumpOperation.Jcond:
                if (!is64 || x) return false;
                w.Append("may_goto ");
                w.AppendDisplacement(off);
                return true;
        }
        string? oper = JumpOperators[op >> 4];
        if (oper is null || dst > 11 || (x && src > 11)) return false;
        char r = is64 ? 'r' : 'w';
        w.Append("if ");
        w.AppendRegister(r, dst);
        w.Append(' ');
        w.Append(oper);
        w.Append(' ');
        if (x) w.AppendRegister(r, src);
        else w.AppendSignedHex(imm);
        w.Append(" goto ");
        w.AppendDisplacement(off);
        return true;
    }

    private static bool WriteStx(ref CharWriter w, int code, int dst, int src, int off, int imm)
    {
        var mode = (MemoryMode)(code & 0xe0);
        var size = (MemorySize)(code & 0x18);
        if (dst > 11 || src > 11) return false;
        if (mode == MemoryMode.Mem)
        {
            w.Append("*(");
            w.Append(UnsignedSizes[(int)size >> 3]);
            w.Append(" *)(");
            WriteAddress(ref w, dst, off);
            w.Append(") = ");
            w.AppendRegister('r', src);
            return true;
        }
        if (mode != MemoryMode.Atomic) return false;
        int operation = imm & 0xf0;
        bool fetch = (imm & 0x0f) == (int)AtomicOperation.Fetch;
        if (size == MemorySize.Word)
        {
            // Without +alu32 LLVM only knows the 32-bit add (XADDW), and ignores the low nibble.
            if (operation != 0) return false;
            WriteLockedOperation(ref w, "u32", "+=", dst, src, off);
            return true;
        }
        if (size != MemorySize.DoubleWord) return false;
        string? arithmetic = operation switch
        {
            (int)AtomicOperation.Add => "add",
            (int)AtomicOperation.Or => "or",
            (int)AtomicOperation.And => "and",
            (int)AtomicOperation.Xor => "xor",
            _ => null,
        };
        if (fetch)
        {
            if (arithmetic is not null)
            {
                w.AppendRegister('r', src);
                w.Append(" = atomic_fetch_");
                w.Append(arithmetic);
                w.Append("((u64 *)(");
                WriteAddress(ref w, dst, off);
                w.Append("), ");
                w.AppendRegister('r', src);
                w.Append(')');
                return true;
            }
            if (operation == 0xe0)
            {
                w.AppendRegister('r', src);
                w.Append(" = xchg_64(");
                WriteAddress(ref w, dst, off);
                w.Append(", ");
                w.AppendRegister('r', src);
                w.Append(')');
                return true;
            }
            if (operation == 0xf0)
            {
                w.Append("r0 = cmpxchg_64(");
                WriteAddress(ref w, dst, off);
                w.Append(", r0, ");
                w.AppendRegister('r', src);
                w.Append(')');
                return true;
            }
            return false;
        }
        if (arithmetic is null) return false;
        string symbol = operation switch
        {
            (int)AtomicOperation.Add => "+=",
            (int)AtomicOperation.Or => "|=",
            (int)AtomicOperation.And => "&=",
            _ => "^=",
        };
        WriteLockedOperation(ref w, "u64", symbol, dst, src, off);
        return true;
    }

    private static void WriteLockedOperation(ref CharWriter w, string size, string symbol, int dst, int src, int off)
    {
        w.Append("lock *(");
        w.Append(size);
        w.Append(" *)(");
        WriteAddress(ref w, dst, off);
        w.Append(") ");
        w.Append(symbol);
        w.Append(' ');
        w.AppendRegister('r', src);
    }

    private static void WriteAddress(ref CharWriter w, int register, int offset)
    {
        w.AppendRegister('r', register);
        if (offset >= 0)
        {
            w.Append(" + ");
            w.AppendSignedHex(offset);
        }
        else
        {
            w.Append(" - ");
            w.AppendSignedHex(-(long)offset);
        }
    }
}
