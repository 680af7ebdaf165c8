using System.Runtime.InteropServices;

namespace BpfSharp.Instructions;

/// <summary>
/// One 8-byte eBPF instruction slot, laid out like <c>struct bpf_insn</c> in little-endian order:
/// <c>u8 code; u8 dst_reg:4, src_reg:4; s16 off; s32 imm</c>. A <c>ld_imm64</c> occupies two slots;
/// the second slot carries the upper 32 bits in its <see cref="Immediate"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1, Size = 8)]
public readonly struct Instruction : IEquatable<Instruction>
{
    private readonly byte _opcode;
    private readonly byte _registers; // dst in the low nibble, src in the high nibble (little-endian encoding)
    private readonly short _offset;
    private readonly int _immediate;

    /// <summary>Creates an instruction from its fields.</summary>
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

    /// <summary>True for the first slot of a 16-byte <c>ld_imm64</c> (<c>BPF_LD | BPF_IMM | BPF_DW</c>, 0x18).</summary>
    public bool IsLoadImm64 => _opcode == 0x18;

    /// <summary>A copy with a different offset.</summary>
    public Instruction WithOffset(short offset) => new(_opcode, Destination, Source, offset, _immediate);
    /// <summary>A copy with a different immediate.</summary>
    public Instruction WithImmediate(int immediate) => new(_opcode, Destination, Source, _offset, immediate);
    /// <summary>A copy with a different opcode.</summary>
    public Instruction WithOpcode(byte opcode) => new(opcode, Destination, Source, _offset, _immediate);

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
    /// <inheritdoc />
    public override string ToString() =>
        $"code=0x{_opcode:x2} dst=r{Destination} src=r{Source} off={_offset} imm={_immediate}";
}

/// <summary>Instruction classes (<c>BPF_LD</c> ... <c>BPF_ALU64</c>).</summary>
public enum InstructionClass : byte
{
    /// <summary><c>BPF_LD</c>: ld_imm64, legacy packet loads.</summary>
    Ld = 0,
    /// <summary><c>BPF_LDX</c>: register loads.</summary>
    Ldx = 1,
    /// <summary><c>BPF_ST</c>: immediate stores.</summary>
    St = 2,
    /// <summary><c>BPF_STX</c>: register stores and atomics.</summary>
    Stx = 3,
    /// <summary><c>BPF_ALU</c>: 32-bit arithmetic.</summary>
    Alu = 4,
    /// <summary><c>BPF_JMP</c>: 64-bit jumps, calls, exit.</summary>
    Jmp = 5,
    /// <summary><c>BPF_JMP32</c>: 32-bit jumps.</summary>
    Jmp32 = 6,
    /// <summary><c>BPF_ALU64</c>: 64-bit arithmetic.</summary>
    Alu64 = 7,
}
