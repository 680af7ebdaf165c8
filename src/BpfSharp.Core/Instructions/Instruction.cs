using System.Runtime.InteropServices;

namespace BpfSharp.Instructions;

/// <summary>
/// One 8-byte eBPF instruction slot, laid out like <c>struct bpf_insn</c> in little-endian order:
/// <c>u8 code; u8 dst_reg:4, src_reg:4; s16 off; s32 imm</c>. A <c>ld_imm64</c> occupies two slots;
/// the second slot carries the upper 32 bits in its <see cref="Immediate"/>.
/// </summary>
/// <remarks>
/// The layout is the little-endian wire format, so a little-endian section can be viewed as instructions
/// without copying (<see cref="InstructionDecoder.AsInstructions"/>). Field accessors interpret the opcode
/// for every class; they do not check that the opcode is defined (see <see cref="IsValidOpcode"/>).
/// </remarks>
[StructLayout(LayoutKind.Sequential, Pack = 1, Size = 8)]
public readonly partial struct Instruction : IEquatable<Instruction>
{
    private readonly byte _opcode;
    private readonly byte _registers; // dst in the low nibble, src in the high nibble (little-endian encoding)
    private readonly short _offset;
    private readonly int _immediate;

    /// <summary>Size of one instruction slot in bytes.</summary>
    public const int Size = 8;

    /// <summary>Creates an instruction from its fields (registers are truncated to 4 bits).</summary>
    public Instruction(byte opcode, byte destination, byte source, short offset, int immediate)
    {
        _opcode = opcode;
        _registers = (byte)((destination & 0xf) | (source << 4));
        _offset = offset;
        _immediate = immediate;
    }

    /// <summary>The opcode byte (<c>code</c>).</summary>
    public byte Opcode => _opcode;
    /// <summary>Destination register (<c>dst_reg</c>), 0-15.</summary>
    public byte Destination => (byte)(_registers & 0xf);
    /// <summary>Source register (<c>src_reg</c>), 0-15; for <c>ld_imm64</c> and calls, the pseudo source.</summary>
    public byte Source => (byte)(_registers >> 4);
    /// <summary>Signed 16-bit offset (<c>off</c>).</summary>
    public short Offset => _offset;
    /// <summary>Signed 32-bit immediate (<c>imm</c>).</summary>
    public int Immediate => _immediate;

    /// <summary>The instruction class: the low 3 bits of the opcode.</summary>
    public InstructionClass Class => (InstructionClass)(_opcode & 0x07);
    /// <summary>The arithmetic operation (high 4 bits); meaningful for <see cref="IsAlu"/> instructions.</summary>
    public AluOperation AluOperation => (AluOperation)(_opcode & 0xf0);
    /// <summary>The jump operation (high 4 bits); meaningful for <c>BPF_JMP</c>/<c>BPF_JMP32</c> instructions.</summary>
    public JumpOperation JumpOperation => (JumpOperation)(_opcode & 0xf0);
    /// <summary>The source bit (<c>BPF_K</c>/<c>BPF_X</c>); meaningful for ALU and jump instructions.</summary>
    public OperandSource OperandSource => (OperandSource)(_opcode & 0x08);
    /// <summary>The size bits; meaningful for load/store classes.</summary>
    public MemorySize MemorySize => (MemorySize)(_opcode & 0x18);
    /// <summary>The mode bits; meaningful for load/store classes.</summary>
    public MemoryMode MemoryMode => (MemoryMode)(_opcode & 0xe0);
    /// <summary>The immediate read as an atomic operation; meaningful when <see cref="IsAtomic"/>.</summary>
    public AtomicOperation AtomicOperation => (AtomicOperation)_immediate;
    /// <summary>The <c>src_reg</c> read as a ld_imm64 pseudo source; meaningful when <see cref="IsLoadImm64"/>.</summary>
    public LoadImm64Source LoadImm64Source => (LoadImm64Source)Source;
    /// <summary>The <c>src_reg</c> read as a call kind; meaningful when <see cref="IsCall"/>.</summary>
    public CallSource CallSource => (CallSource)Source;

    /// <summary>True for <c>BPF_ALU</c> and <c>BPF_ALU64</c>.</summary>
    public bool IsAlu => Class is InstructionClass.Alu or InstructionClass.Alu64;
    /// <summary>True for <c>BPF_ALU64</c>.</summary>
    public bool IsAlu64 => Class == InstructionClass.Alu64;
    /// <summary>True for the first slot of a 16-byte <c>ld_imm64</c> (<c>BPF_LD | BPF_IMM | BPF_DW</c>, 0x18).</summary>
    public bool IsLoadImm64 => _opcode == 0x18;
    /// <summary>Number of slots this instruction occupies: 2 for <c>ld_imm64</c>, otherwise 1.</summary>
    public int SlotCount => IsLoadImm64 ? 2 : 1;
    /// <summary>True for <c>call imm</c> (<c>BPF_JMP | BPF_CALL | BPF_K</c>, 0x85) of any <see cref="CallSource"/>.</summary>
    public bool IsCall => _opcode == 0x85;
    /// <summary>True for a helper call (<c>call</c> with src 0).</summary>
    public bool IsHelperCall => _opcode == 0x85 && Source == (byte)CallSource.Helper;
    /// <summary>True for a BPF-to-BPF call (<c>call</c> with src <c>BPF_PSEUDO_CALL</c>, 1).</summary>
    public bool IsPseudoCall => _opcode == 0x85 && Source == (byte)CallSource.PseudoCall;
    /// <summary>True for a kfunc call (<c>call</c> with src <c>BPF_PSEUDO_KFUNC_CALL</c>, 2).</summary>
    public bool IsKfuncCall => _opcode == 0x85 && Source == (byte)CallSource.KfuncCall;
    /// <summary>True for a ld_imm64 that loads a subprogram address (src <c>BPF_PSEUDO_FUNC</c>, 4).</summary>
    public bool IsPseudoFunc => _opcode == 0x18 && Source == (byte)LoadImm64Source.Func;
    /// <summary>True for <c>exit</c> (<c>BPF_JMP | BPF_EXIT</c>, 0x95).</summary>
    public bool IsExit => _opcode == 0x95;

    /// <summary>
    /// True for branches: <c>goto</c>, <c>gotol</c>, <c>may_goto</c> and every conditional jump of both jump classes
    /// (not calls or exit). The target is <see cref="JumpTarget"/>.
    /// </summary>
    public bool IsJump
    {
        get
        {
            var cls = Class;
            if (cls != InstructionClass.Jmp && cls != InstructionClass.Jmp32) return false;
            var op = JumpOperation;
            return op != JumpOperation.Call && op != JumpOperation.Exit;
        }
    }

    /// <summary>True for conditional jumps (<c>if dst op src goto</c>) of either jump class.</summary>
    public bool IsConditionalJump => IsJump && JumpOperation != JumpOperation.Ja && JumpOperation != JumpOperation.Jcond;

    /// <summary>True for <c>gotol</c> (<c>BPF_JMP32 | BPF_JA</c>, 0x06), whose displacement is the immediate.</summary>
    public bool IsLongJump => _opcode == 0x06;

    /// <summary>
    /// The branch displacement in slots, relative to the next slot: <see cref="Immediate"/> for <c>gotol</c> and
    /// BPF-to-BPF calls, <see cref="Offset"/> for other jumps; 0 for anything else.
    /// </summary>
    public int JumpDisplacement => IsLongJump || IsPseudoCall || IsPseudoFunc ? _immediate : IsJump ? _offset : 0;

    /// <summary>
    /// The slot index a jump, BPF-to-BPF call or <c>BPF_PSEUDO_FUNC</c> ld_imm64 at <paramref name="slot"/> refers to:
    /// <c>slot + 1 + displacement</c>.
    /// </summary>
    public long JumpTarget(int slot) => (long)slot + 1 + JumpDisplacement;

    /// <summary>True for loads from memory into a register: <c>BPF_LDX</c> with <c>BPF_MEM</c> or <c>BPF_MEMSX</c>.</summary>
    public bool IsMemoryLoad => Class == InstructionClass.Ldx && (MemoryMode == MemoryMode.Mem || MemoryMode == MemoryMode.MemSx);
    /// <summary>True for stores: <c>BPF_ST</c> or <c>BPF_STX</c> with <c>BPF_MEM</c>.</summary>
    public bool IsMemoryStore => (Class == InstructionClass.St || Class == InstructionClass.Stx) && MemoryMode == MemoryMode.Mem;
    /// <summary>True for atomics: <c>BPF_STX | BPF_ATOMIC</c>.</summary>
    public bool IsAtomic => Class == InstructionClass.Stx && MemoryMode == MemoryMode.Atomic;
    /// <summary>True for <c>BPF_LDX</c>, <c>BPF_ST</c> and <c>BPF_STX</c>: the shapes whose <c>off</c> addresses memory.</summary>
    public bool IsMemoryAccess => Class is InstructionClass.Ldx or InstructionClass.St or InstructionClass.Stx;
    /// <summary>True for the legacy packet loads <c>BPF_LD | BPF_ABS</c> and <c>BPF_LD | BPF_IND</c>.</summary>
    public bool IsPacketLoad => Class == InstructionClass.Ld && (MemoryMode == MemoryMode.Abs || MemoryMode == MemoryMode.Ind);

    /// <summary>
    /// Memory access size in bytes (1, 2, 4 or 8) for the load/store classes (<c>BPF_LD</c>, <c>BPF_LDX</c>,
    /// <c>BPF_ST</c>, <c>BPF_STX</c>); 0 for other classes.
    /// </summary>
    public int MemoryAccessSize => Class <= InstructionClass.Stx ? SizeInBytes(MemorySize) : 0;

    /// <summary>Bytes accessed by a <see cref="Instructions.MemorySize"/>.</summary>
    public static int SizeInBytes(MemorySize size) => size switch
    {
        MemorySize.Byte => 1,
        MemorySize.HalfWord => 2,
        MemorySize.Word => 4,
        _ => 8,
    };

    /// <summary>The <see cref="Instructions.MemorySize"/> for an access of 1, 2, 4 or 8 bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Any other size.</exception>
    public static MemorySize SizeFromBytes(int bytes) => bytes switch
    {
        1 => MemorySize.Byte,
        2 => MemorySize.HalfWord,
        4 => MemorySize.Word,
        8 => MemorySize.DoubleWord,
        _ => throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "memory access size must be 1, 2, 4 or 8"),
    };

    /// <summary>
    /// True if the opcode byte is defined by the eBPF instruction set (RFC 9669 plus the later kernel additions
    /// <c>may_goto</c>, load-acquire/store-release). Undefined opcodes decode as data; the verifier rejects them.
    /// <c>callx</c> (0x8d), which LLVM knows but the kernel does not, counts as undefined.
    /// </summary>
    public bool IsValidOpcode => OpcodeTable.IsDefined(_opcode);

    /// <summary>
    /// Combines the immediates of a ld_imm64's two slots into the 64-bit value
    /// (<c>(u64)second.imm &lt;&lt; 32 | (u32)first.imm</c>).
    /// </summary>
    public static long CombineImmediate64(Instruction first, Instruction second) =>
        (long)(((ulong)(uint)second._immediate << 32) | (uint)first._immediate);

    /// <summary>Reads the 64-bit immediate of the ld_imm64 at <paramref name="slot"/>.</summary>
    /// <exception cref="ArgumentException">The slot is not a ld_imm64 with a second slot.</exception>
    public static long ReadImmediate64(ReadOnlySpan<Instruction> slots, int slot)
    {
        CheckLoadImm64(slots, slot);
        return CombineImmediate64(slots[slot], slots[slot + 1]);
    }

    /// <summary>Replaces the 64-bit immediate of the ld_imm64 at <paramref name="slot"/> (both halves), keeping every other field.</summary>
    /// <exception cref="ArgumentException">The slot is not a ld_imm64 with a second slot.</exception>
    public static void WriteImmediate64(Span<Instruction> slots, int slot, long value)
    {
        CheckLoadImm64(slots, slot);
        slots[slot] = slots[slot].WithImmediate((int)value);
        slots[slot + 1] = slots[slot + 1].WithImmediate((int)(value >> 32));
    }

    private static void CheckLoadImm64(ReadOnlySpan<Instruction> slots, int slot)
    {
        if ((uint)slot >= (uint)slots.Length || !slots[slot].IsLoadImm64 || slot + 1 >= slots.Length)
            throw new ArgumentException($"slot {slot} is not a ld_imm64 with its second slot", nameof(slot));
    }

    /// <summary>Walks <paramref name="slots"/> instruction by instruction (a ld_imm64 is one step); see <see cref="InstructionEnumerator"/>.</summary>
    public static InstructionEnumerator Enumerate(ReadOnlySpan<Instruction> slots) => new(slots);

    /// <summary>A copy with a different offset.</summary>
    public Instruction WithOffset(short offset) => new(_opcode, Destination, Source, offset, _immediate);
    /// <summary>A copy with a different immediate.</summary>
    public Instruction WithImmediate(int immediate) => new(_opcode, Destination, Source, _offset, immediate);
    /// <summary>A copy with a different opcode.</summary>
    public Instruction WithOpcode(byte opcode) => new(opcode, Destination, Source, _offset, _immediate);
    /// <summary>A copy with a different destination register.</summary>
    public Instruction WithDestination(byte destination) => new(_opcode, destination, Source, _offset, _immediate);
    /// <summary>A copy with a different source register (or pseudo source).</summary>
    public Instruction WithSource(byte source) => new(_opcode, Destination, source, _offset, _immediate);

    /// <summary>The raw 64-bit little-endian value of the slot (as <c>*(u64 *)insn</c> on a little-endian host).</summary>
    public ulong RawValue =>
        _opcode | (ulong)_registers << 8 | (ulong)(ushort)_offset << 16 | (ulong)(uint)_immediate << 32;

    /// <summary>Creates an instruction from the 64-bit little-endian value of a slot (the inverse of <see cref="RawValue"/>).</summary>
    public static Instruction FromRawValue(ulong raw) =>
        new((byte)raw, (byte)((raw >> 8) & 0xf), (byte)((raw >> 12) & 0xf), (short)(raw >> 16), (int)(raw >> 32));

    /// <inheritdoc />
    public bool Equals(Instruction other) =>
        _opcode == other._opcode && _registers == other._registers && _offset == other._offset && _immediate == other._immediate;
    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Instruction i && Equals(i);
    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_opcode, _registers, _offset, _immediate);
    /// <summary>Field-wise equality.</summary>
    public static bool operator ==(Instruction a, Instruction b) => a.Equals(b);
    /// <summary>Field-wise inequality.</summary>
    public static bool operator !=(Instruction a, Instruction b) => !a.Equals(b);

    /// <summary>
    /// The instruction in llvm-objdump syntax (a ld_imm64 shows only its low 32 bits, since one slot does not
    /// hold the rest), followed by the raw fields.
    /// </summary>
    public override string ToString()
    {
        var fields = $"code=0x{_opcode:x2} dst=r{Destination} src=r{Source} off={_offset} imm={_immediate}";
        ReadOnlySpan<Instruction> one = [this];
        var text = InstructionFormatter.Format(IsLoadImm64 ? [this, default] : one);
        return $"{text} ({fields})";
    }
}
