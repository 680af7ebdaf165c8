using BpfSharp.Instructions;

namespace BpfSharp.CoRe;

/// <summary>libbpf's <c>bpf_core_patch_insn</c> and <c>bpf_core_poison_insn</c>.</summary>
public static class CoRePatcher
{
    /// <summary>The immediate of the poison call: 0xbad2310 ("bad relo").</summary>
    public const int PoisonImmediate = 195896080;

    /// <summary>The poison instruction: <c>call 0xbad2310</c> (<c>BPF_JMP | BPF_CALL</c>, all other fields 0).</summary>
    public static Instruction PoisonInstruction => new(0x85, 0, 0, 0, PoisonImmediate);

    private const byte ClassLd = 0x00, ClassLdx = 0x01, ClassSt = 0x02, ClassStx = 0x03, ClassAlu = 0x04, ClassAlu64 = 0x07;

    /// <summary>
    /// Patches (or poisons) instruction <paramref name="index"/> of <paramref name="instructions"/> with a computed
    /// relocation value. Returns 0 or a negative errno, logging libbpf's lines to <paramref name="log"/> if given.
    /// </summary>
    public static int Patch(string programName, Span<Instruction> instructions, int index, int reloIndex,
        in CoReRelocationValue res, CoReLog? log) =>
        Patch(programName, instructions, index, reloIndex, res, log, out _);

    /// <summary>As <see cref="Patch(string, Span{Instruction}, int, int, in CoReRelocationValue, CoReLog?)"/>, also returning libbpf's warning text (without prefix) on failure.</summary>
    public static int Patch(string programName, Span<Instruction> instructions, int index, int reloIndex,
        in CoReRelocationValue res, CoReLog? log, out string? warning)
    {
        warning = null;
        if ((uint)index >= (uint)instructions.Length) return -CoReErrno.EINVAL;
        ref var insn = ref instructions[index];
        byte cls = (byte)(insn.Opcode & 0x07);

        if (res.Poison) return Poison(programName, instructions, index, reloIndex, log);

        ulong origVal = res.OriginalValue, newVal = res.NewValue;
        switch (cls)
        {
            case ClassAlu or ClassAlu64:
            {
                if ((insn.Opcode & 0x08) != 0) return -CoReErrno.EINVAL;
                if (res.Validate && (ulong)(long)insn.Immediate != origVal)
                {
                    warning = $"prog '{programName}': relo #{reloIndex}: unexpected insn #{index} (ALU/ALU64) value: got {(uint)insn.Immediate}, exp {origVal} -> {newVal}";
                    log?.Warn(warning);
                    return -CoReErrno.EINVAL;
                }
                ulong before = (ulong)(long)insn.Immediate;
                insn = insn.WithImmediate(unchecked((int)newVal));
                log?.Debug($"prog '{programName}': relo #{reloIndex}: patched insn #{index} (ALU/ALU64) imm {before} -> {newVal}");
                return 0;
            }
            case ClassLdx or ClassSt or ClassStx:
            {
                if (res.Validate && (ulong)(long)insn.Offset != origVal)
                {
                    warning = $"prog '{programName}': relo #{reloIndex}: unexpected insn #{index} (LDX/ST/STX) value: got {(uint)(int)insn.Offset}, exp {origVal} -> {newVal}";
                    log?.Warn(warning);
                    return -CoReErrno.EINVAL;
                }
                if (newVal > (ulong)short.MaxValue)
                {
                    warning = $"prog '{programName}': relo #{reloIndex}: insn #{index} (LDX/ST/STX) value too big: {newVal}";
                    log?.Warn(warning);
                    return -CoReErrno.ERANGE;
                }
                if (res.FailMemorySizeAdjust)
                {
                    warning = $"prog '{programName}': relo #{reloIndex}: insn #{index} (LDX/ST/STX) accesses field incorrectly. Make sure you are accessing pointers, unsigned integers, or fields of matching type and size.";
                    log?.Warn(warning);
                    return Poison(programName, instructions, index, reloIndex, log);
                }
                ulong before = (ulong)(long)insn.Offset;
                insn = insn.WithOffset((short)newVal);
                log?.Debug($"prog '{programName}': relo #{reloIndex}: patched insn #{index} (LDX/ST/STX) off {before} -> {newVal}");
                if (res.NewSize != res.OriginalSize)
                {
                    int bytes = SizeBytes(insn.Opcode);
                    if (bytes != res.OriginalSize)
                    {
                        warning = $"prog '{programName}': relo #{reloIndex}: insn #{index} (LDX/ST/STX) unexpected mem size: got {bytes}, exp {res.OriginalSize}";
                    log?.Warn(warning);
                        return -CoReErrno.EINVAL;
                    }
                    int sizeBits = SizeCode(res.NewSize);
                    if (sizeBits < 0)
                    {
                        warning = $"prog '{programName}': relo #{reloIndex}: insn #{index} (LDX/ST/STX) invalid new mem size: {res.NewSize}";
                    log?.Warn(warning);
                        return -CoReErrno.EINVAL;
                    }
                    insn = insn.WithOpcode((byte)((insn.Opcode & 0xe0) | sizeBits | (insn.Opcode & 0x07)));
                    log?.Debug($"prog '{programName}': relo #{reloIndex}: patched insn #{index} (LDX/ST/STX) mem_sz {res.OriginalSize} -> {res.NewSize}");
                }
                return 0;
            }
            case ClassLd:
            {
                if (!insn.IsLoadImm64 || index + 1 >= instructions.Length || insn.Source != 0 || insn.Offset != 0
                    || instructions[index + 1].Opcode != 0 || instructions[index + 1].Destination != 0
                    || instructions[index + 1].Source != 0 || instructions[index + 1].Offset != 0)
                {
                    warning = $"prog '{programName}': relo #{reloIndex}: insn #{index} (LDIMM64) has unexpected form";
                    log?.Warn(warning);
                    return -CoReErrno.EINVAL;
                }
                ref var hi = ref instructions[index + 1];
                ulong imm = (uint)insn.Immediate | ((ulong)(uint)hi.Immediate << 32);
                if (res.Validate && imm != origVal)
                {
                    warning = $"prog '{programName}': relo #{reloIndex}: unexpected insn #{index} (LDIMM64) value: got {imm}, exp {origVal} -> {newVal}";
                    log?.Warn(warning);
                    return -CoReErrno.EINVAL;
                }
                insn = insn.WithImmediate(unchecked((int)newVal));
                hi = hi.WithImmediate(unchecked((int)(newVal >> 32)));
                log?.Debug($"prog '{programName}': relo #{reloIndex}: patched insn #{index} (LDIMM64) imm64 {imm} -> {newVal}");
                return 0;
            }
            default:
                warning = $"prog '{programName}': relo #{reloIndex}: trying to relocate unrecognized insn #{index}, code:0x{insn.Opcode:x}, src:0x{insn.Source:x}, dst:0x{insn.Destination:x}, off:0x{(uint)(int)insn.Offset:x}, imm:0x{(uint)insn.Immediate:x}";
                    log?.Warn(warning);
                return -CoReErrno.EINVAL;
        }
    }

    private static int Poison(string programName, Span<Instruction> instructions, int index, int reloIndex, CoReLog? log)
    {
        // Poison the second half of ld_imm64 first, so the verifier does not complain about "unknown opcode 00".
        if (instructions[index].IsLoadImm64 && index + 1 < instructions.Length)
        {
            log?.Debug($"prog '{programName}': relo #{reloIndex}: substituting insn #{index + 1} w/ invalid insn");
            instructions[index + 1] = PoisonInstruction;
        }
        log?.Debug($"prog '{programName}': relo #{reloIndex}: substituting insn #{index} w/ invalid insn");
        instructions[index] = PoisonInstruction;
        return 0;
    }

    private static int SizeBytes(byte opcode) => (opcode & 0x18) switch
    {
        0x00 => 4,
        0x08 => 2,
        0x10 => 1,
        _ => 8,
    };

    private static int SizeCode(uint bytes) => bytes switch
    {
        1 => 0x10,
        2 => 0x08,
        4 => 0x00,
        8 => 0x18,
        _ => -1,
    };
}
