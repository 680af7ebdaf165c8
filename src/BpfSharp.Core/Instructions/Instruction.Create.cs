namespace BpfSharp.Instructions;

public readonly partial struct Instruction
{
    private const byte K = (byte)OperandSource.Immediate;
    private const byte X = (byte)OperandSource.Register;

    private static byte AluClass(bool is64) => (byte)(is64 ? InstructionClass.Alu64 : InstructionClass.Alu);
    private static byte JumpClass(bool is64) => (byte)(is64 ? InstructionClass.Jmp : InstructionClass.Jmp32);

    /// <summary><c>dst op= imm</c> in <c>BPF_ALU64</c> (or <c>BPF_ALU</c> when <paramref name="is64"/> is false).</summary>
    public static Instruction Alu(AluOperation operation, byte destination, int immediate, bool is64 = true) =>
        new((byte)((byte)operation | K | AluClass(is64)), destination, 0, 0, immediate);

    /// <summary><c>dst op= src</c> in <c>BPF_ALU64</c> (or <c>BPF_ALU</c> when <paramref name="is64"/> is false).</summary>
    public static Instruction AluRegister(AluOperation operation, byte destination, byte source, bool is64 = true) =>
        new((byte)((byte)operation | X | AluClass(is64)), destination, source, 0, 0);

    /// <summary>Signed <c>dst s/= imm</c> (cpu v4: <c>BPF_DIV</c> with <c>off</c> 1).</summary>
    public static Instruction SignedDivide(byte destination, int immediate, bool is64 = true) =>
        new((byte)((byte)AluOperation.Div | K | AluClass(is64)), destination, 0, 1, immediate);

    /// <summary>Signed <c>dst s%= imm</c> (cpu v4: <c>BPF_MOD</c> with <c>off</c> 1).</summary>
    public static Instruction SignedModulo(byte destination, int immediate, bool is64 = true) =>
        new((byte)((byte)AluOperation.Mod | K | AluClass(is64)), destination, 0, 1, immediate);

    /// <summary><c>dst = imm</c> (64-bit: the immediate is sign-extended).</summary>
    public static Instruction Move(byte destination, int immediate, bool is64 = true) =>
        Alu(AluOperation.Mov, destination, immediate, is64);

    /// <summary><c>dst = src</c>.</summary>
    public static Instruction MoveRegister(byte destination, byte source, bool is64 = true) =>
        AluRegister(AluOperation.Mov, destination, source, is64);

    /// <summary><c>dst = addr_space_cast(src, dst_as, src_as)</c> (arena pointers, 6.9+): <c>BPF_ALU64 | BPF_MOV | BPF_X</c>
    /// with off 1 and imm <c>dst_as &lt;&lt; 16 | src_as</c>; 1 (0x00000001) converts a user-form arena pointer to the
    /// kernel form, 0x10000 back.</summary>
    public static Instruction AddressSpaceCast(byte destination, byte source, int addressSpaces) =>
        new(0xbf, destination, source, 1, addressSpaces);

    /// <summary>
    /// Sign-extending move <c>dst = (s8|s16|s32)src</c> (cpu v4 <c>movsx</c>: <c>BPF_MOV | BPF_X</c> with
    /// <c>off</c> = <paramref name="fromBits"/>); 32-bit form accepts 8 and 16.
    /// </summary>
    public static Instruction MoveSignExtend(byte destination, byte source, int fromBits, bool is64 = true)
    {
        if (fromBits is not (8 or 16 or 32) || (!is64 && fromBits == 32))
            throw new ArgumentOutOfRangeException(nameof(fromBits), fromBits, "movsx extends from 8, 16 or (64-bit only) 32 bits");
        return new((byte)((byte)AluOperation.Mov | X | AluClass(is64)), destination, source, (short)fromBits, 0);
    }

    /// <summary><c>dst = -dst</c>.</summary>
    public static Instruction Negate(byte destination, bool is64 = true) =>
        new((byte)((byte)AluOperation.Neg | K | AluClass(is64)), destination, 0, 0, 0);

    /// <summary>
    /// Byte-order conversion <c>dst = le16/le32/le64 dst</c> or <c>be16/be32/be64</c> (<c>BPF_ALU | BPF_END</c>).
    /// </summary>
    public static Instruction ToEndian(byte destination, int bits, bool bigEndian) =>
        new((byte)((byte)AluOperation.End | (bigEndian ? X : K) | (byte)InstructionClass.Alu), destination, 0, 0, CheckSwapWidth(bits));

    /// <summary>Unconditional byte swap <c>dst = bswap16/32/64 dst</c> (cpu v4: <c>BPF_ALU64 | BPF_END</c>).</summary>
    public static Instruction ByteSwap(byte destination, int bits) =>
        new((byte)((byte)AluOperation.End | K | (byte)InstructionClass.Alu64), destination, 0, 0, CheckSwapWidth(bits));

    private static int CheckSwapWidth(int bits) => bits is 16 or 32 or 64
        ? bits
        : throw new ArgumentOutOfRangeException(nameof(bits), bits, "byte swap width must be 16, 32 or 64");

    /// <summary>
    /// The two slots of <c>dst = imm64 ll</c> (<c>BPF_LD | BPF_IMM | BPF_DW</c>), with an optional pseudo source
    /// (map fd, map value, BTF id, function...).
    /// </summary>
    public static (Instruction First, Instruction Second) LoadImm64(byte destination, long value,
        LoadImm64Source source = LoadImm64Source.Immediate) =>
        (new Instruction(0x18, destination, (byte)source, 0, (int)value), new Instruction(0, 0, 0, 0, (int)(value >> 32)));

    /// <summary><c>dst = *(uN *)(src + off)</c> (<c>BPF_LDX | BPF_MEM</c>).</summary>
    public static Instruction LoadMemory(MemorySize size, byte destination, byte source, short offset) =>
        new((byte)((byte)MemoryMode.Mem | (byte)size | (byte)InstructionClass.Ldx), destination, source, offset, 0);

    /// <summary><c>dst = *(sN *)(src + off)</c> (cpu v4 <c>BPF_LDX | BPF_MEMSX</c>; byte, half-word or word).</summary>
    public static Instruction LoadMemorySignExtend(MemorySize size, byte destination, byte source, short offset)
    {
        if (size == MemorySize.DoubleWord)
            throw new ArgumentOutOfRangeException(nameof(size), size, "sign-extending loads are 1, 2 or 4 bytes");
        return new((byte)((byte)MemoryMode.MemSx | (byte)size | (byte)InstructionClass.Ldx), destination, source, offset, 0);
    }

    /// <summary><c>*(uN *)(dst + off) = src</c> (<c>BPF_STX | BPF_MEM</c>).</summary>
    public static Instruction StoreMemory(MemorySize size, byte destination, short offset, byte source) =>
        new((byte)((byte)MemoryMode.Mem | (byte)size | (byte)InstructionClass.Stx), destination, source, offset, 0);

    /// <summary><c>*(uN *)(dst + off) = imm</c> (<c>BPF_ST | BPF_MEM</c>).</summary>
    public static Instruction StoreImmediate(MemorySize size, byte destination, short offset, int immediate) =>
        new((byte)((byte)MemoryMode.Mem | (byte)size | (byte)InstructionClass.St), destination, 0, offset, immediate);

    /// <summary>An atomic operation on <c>*(u32|u64 *)(dst + off)</c> with <c>src</c> (<c>BPF_STX | BPF_ATOMIC</c>).</summary>
    public static Instruction Atomic(AtomicOperation operation, MemorySize size, byte destination, short offset, byte source) =>
        new((byte)((byte)MemoryMode.Atomic | (byte)size | (byte)InstructionClass.Stx), destination, source, offset, (int)operation);

    /// <summary>Legacy packet load <c>r0 = *(uN *)skb[imm]</c> (<c>BPF_LD | BPF_ABS</c>).</summary>
    public static Instruction LoadPacketAbsolute(MemorySize size, int immediate) =>
        new((byte)((byte)MemoryMode.Abs | (byte)size | (byte)InstructionClass.Ld), 0, 0, 0, immediate);

    /// <summary>Legacy packet load <c>r0 = *(uN *)skb[src + imm]</c> (<c>BPF_LD | BPF_IND</c>).</summary>
    public static Instruction LoadPacketIndirect(MemorySize size, byte source, int immediate = 0) =>
        new((byte)((byte)MemoryMode.Ind | (byte)size | (byte)InstructionClass.Ld), 0, source, 0, immediate);

    /// <summary><c>if dst op imm goto +off</c> (<c>BPF_JMP</c>, or <c>BPF_JMP32</c> when <paramref name="is64"/> is false).</summary>
    public static Instruction Jump(JumpOperation operation, byte destination, int immediate, short offset, bool is64 = true) =>
        new((byte)((byte)operation | K | JumpClass(is64)), destination, 0, offset, immediate);

    /// <summary><c>if dst op src goto +off</c> (<c>BPF_JMP</c>, or <c>BPF_JMP32</c> when <paramref name="is64"/> is false).</summary>
    public static Instruction JumpRegister(JumpOperation operation, byte destination, byte source, short offset, bool is64 = true) =>
        new((byte)((byte)operation | X | JumpClass(is64)), destination, source, offset, 0);

    /// <summary><c>goto +off</c> (<c>BPF_JMP | BPF_JA</c>).</summary>
    public static Instruction Goto(short offset) => new(0x05, 0, 0, offset, 0);

    /// <summary><c>gotol +imm</c> (<c>BPF_JMP32 | BPF_JA</c>, cpu v4: 32-bit displacement in <c>imm</c>).</summary>
    public static Instruction GotoLong(int displacement) => new(0x06, 0, 0, 0, displacement);

    /// <summary><c>may_goto +off</c> (<c>BPF_JMP | BPF_JCOND</c>, src <c>BPF_MAY_GOTO</c>).</summary>
    public static Instruction MayGoto(short offset) => new(0xe5, 0, 0, offset, 0);

    /// <summary><c>call id</c>: a helper call by helper id.</summary>
    public static Instruction CallHelper(int helperId) => new(0x85, 0, (byte)CallSource.Helper, 0, helperId);

    /// <summary>A BPF-to-BPF call (src <c>BPF_PSEUDO_CALL</c>); <paramref name="displacement"/> is relative to the next slot.</summary>
    public static Instruction CallPseudo(int displacement) => new(0x85, 0, (byte)CallSource.PseudoCall, 0, displacement);

    /// <summary>A kfunc call (src <c>BPF_PSEUDO_KFUNC_CALL</c>): BTF id, and the fd-array index of its module BTF (0: vmlinux).</summary>
    public static Instruction CallKfunc(int btfId, short moduleIndex = 0) => new(0x85, 0, (byte)CallSource.KfuncCall, moduleIndex, btfId);

    /// <summary><c>exit</c>.</summary>
    public static Instruction Exit() => new(0x95, 0, 0, 0, 0);
}
