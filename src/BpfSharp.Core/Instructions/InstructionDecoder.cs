using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace BpfSharp.Instructions;

/// <summary>
/// Turns instruction bytes (a program section) into <see cref="Instruction"/> slots, in either byte order.
/// Undefined opcodes are data: they decode like any slot and can be recognised with
/// <see cref="Instruction.IsValidOpcode"/>. Structural problems (a length that is not a multiple of 8, a
/// ld_imm64 without its second slot) raise <see cref="BpfFormatException"/>.
/// </summary>
public static class InstructionDecoder
{
    /// <summary>
    /// Views little-endian instruction bytes as slots without copying.
    /// </summary>
    /// <exception cref="BpfFormatException"><see cref="BpfFormatError.InsnTruncated"/>: the length is not a multiple of 8.</exception>
    public static ReadOnlySpan<Instruction> AsInstructions(ReadOnlySpan<byte> littleEndianBytes, string? section = null, long sectionOffset = 0)
    {
        CheckLength(littleEndianBytes.Length, section, sectionOffset);
        return MemoryMarshal.Cast<byte, Instruction>(littleEndianBytes);
    }

    /// <summary>Reads one 8-byte slot.</summary>
    /// <param name="slot">At least 8 bytes; only the first 8 are read.</param>
    /// <param name="bigEndian">
    /// True for <c>bpfeb</c> objects: <c>off</c> and <c>imm</c> are big-endian and the register byte holds
    /// <c>dst</c> in its high nibble.
    /// </param>
    /// <exception cref="ArgumentException">Fewer than 8 bytes.</exception>
    public static Instruction ReadSlot(ReadOnlySpan<byte> slot, bool bigEndian = false)
    {
        if (slot.Length < Instruction.Size) throw new ArgumentException("an instruction slot is 8 bytes", nameof(slot));
        if (!bigEndian) return MemoryMarshal.Read<Instruction>(slot);
        byte regs = slot[1];
        return new Instruction(slot[0], (byte)(regs >> 4), (byte)(regs & 0xf),
            BinaryPrimitives.ReadInt16BigEndian(slot[2..]), BinaryPrimitives.ReadInt32BigEndian(slot[4..]));
    }

    /// <summary>Number of slots in <paramref name="byteCount"/> bytes of instructions.</summary>
    /// <exception cref="BpfFormatException"><see cref="BpfFormatError.InsnTruncated"/>: not a multiple of 8.</exception>
    public static int SlotCount(int byteCount, string? section = null, long sectionOffset = 0)
    {
        CheckLength(byteCount, section, sectionOffset);
        return byteCount / Instruction.Size;
    }

    /// <summary>
    /// Decodes <paramref name="bytes"/> into <paramref name="destination"/> (at least <c>bytes.Length / 8</c> slots)
    /// without allocating. Little-endian input is copied as is.
    /// </summary>
    /// <param name="bytes">The instruction bytes.</param>
    /// <param name="bigEndian">Byte order of the object.</param>
    /// <param name="destination">Receives the slots.</param>
    /// <param name="strict">Also check that every ld_imm64 has a well-formed second slot (see <see cref="Validate"/>).</param>
    /// <param name="section">Section name for error messages.</param>
    /// <param name="sectionOffset">Offset of <paramref name="bytes"/> within the section, for error messages.</param>
    /// <returns>The number of slots written.</returns>
    /// <exception cref="BpfFormatException">The length is not a multiple of 8, or (strict) a ld_imm64 is malformed.</exception>
    public static int Decode(ReadOnlySpan<byte> bytes, bool bigEndian, Span<Instruction> destination,
        bool strict = true, string? section = null, long sectionOffset = 0)
    {
        int count = SlotCount(bytes.Length, section, sectionOffset);
        if (destination.Length < count) throw new ArgumentException($"destination holds {destination.Length} slots, {count} needed", nameof(destination));
        var target = destination[..count];
        if (!bigEndian)
        {
            MemoryMarshal.Cast<byte, Instruction>(bytes).CopyTo(target);
        }
        else
        {
            for (int i = 0; i < target.Length; i++)
                target[i] = ReadSlot(bytes.Slice(i * Instruction.Size, Instruction.Size), bigEndian: true);
        }
        if (strict) Validate(target, section, sectionOffset);
        return count;
    }

    /// <summary>Decodes <paramref name="bytes"/> into a new array (see the span overload).</summary>
    /// <exception cref="BpfFormatException">The length is not a multiple of 8, or (strict) a ld_imm64 is malformed.</exception>
    public static Instruction[] Decode(ReadOnlySpan<byte> bytes, bool bigEndian = false, bool strict = true,
        string? section = null, long sectionOffset = 0)
    {
        var result = new Instruction[SlotCount(bytes.Length, section, sectionOffset)];
        Decode(bytes, bigEndian, result, strict, section, sectionOffset);
        return result;
    }

    /// <summary>
    /// Checks the structure of a slot sequence: every ld_imm64 first slot is followed by a second slot whose
    /// <c>code</c>, registers and <c>off</c> are zero (what the kernel demands).
    /// </summary>
    /// <exception cref="BpfFormatException"><see cref="BpfFormatError.InsnBadLdImm64"/>, positioned at the first slot.</exception>
    public static void Validate(ReadOnlySpan<Instruction> instructions, string? section = null, long sectionOffset = 0)
    {
        if (TryValidate(instructions, out int slot, out string? detail)) return;
        throw new BpfFormatException(BpfFormatError.InsnBadLdImm64, BpfFormat.Instructions, detail!, section,
            sectionOffset + (long)slot * Instruction.Size);
    }

    /// <summary>
    /// The non-throwing form of <see cref="Validate"/>: false with the slot index of the bad ld_imm64 and what is wrong.
    /// </summary>
    public static bool TryValidate(ReadOnlySpan<Instruction> instructions, out int badSlot, out string? detail)
    {
        for (int i = 0; i < instructions.Length; i++)
        {
            if (!instructions[i].IsLoadImm64) continue;
            if (i + 1 >= instructions.Length)
            {
                badSlot = i;
                detail = $"ld_imm64 at slot {i} is the last slot: its second half is missing";
                return false;
            }
            var second = instructions[i + 1];
            if (second.Opcode != 0 || second.Destination != 0 || second.Source != 0 || second.Offset != 0)
            {
                badSlot = i;
                detail = $"ld_imm64 at slot {i}: second slot must have code, registers and off 0, found {second}";
                return false;
            }
            i++;
        }
        badSlot = -1;
        detail = null;
        return true;
    }

    private static void CheckLength(int byteCount, string? section, long sectionOffset)
    {
        if (byteCount % Instruction.Size == 0) return;
        throw new BpfFormatException(BpfFormatError.InsnTruncated, BpfFormat.Instructions,
            $"{byteCount} bytes of instructions is not a multiple of 8 ({byteCount % Instruction.Size} bytes left over)",
            section, sectionOffset + byteCount - byteCount % Instruction.Size);
    }
}
