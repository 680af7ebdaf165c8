using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace BpfSharp.Instructions;

/// <summary>Writes <see cref="Instruction"/> slots as bytes in either byte order (the inverse of <see cref="InstructionDecoder"/>).</summary>
public static class InstructionEncoder
{
    /// <summary>Views slots as their little-endian bytes without copying.</summary>
    public static ReadOnlySpan<byte> AsBytes(ReadOnlySpan<Instruction> instructions) => MemoryMarshal.AsBytes(instructions);

    /// <summary>Writes one slot into the first 8 bytes of <paramref name="destination"/>.</summary>
    /// <param name="instruction">The slot.</param>
    /// <param name="destination">At least 8 bytes.</param>
    /// <param name="bigEndian">True for <c>bpfeb</c>: big-endian <c>off</c>/<c>imm</c>, <c>dst</c> in the high nibble.</param>
    public static void WriteSlot(Instruction instruction, Span<byte> destination, bool bigEndian = false)
    {
        if (destination.Length < Instruction.Size) throw new ArgumentException("an instruction slot is 8 bytes", nameof(destination));
        if (!bigEndian)
        {
            MemoryMarshal.Write(destination, in instruction);
            return;
        }
        destination[0] = instruction.Opcode;
        destination[1] = (byte)((instruction.Destination << 4) | instruction.Source);
        BinaryPrimitives.WriteInt16BigEndian(destination[2..], instruction.Offset);
        BinaryPrimitives.WriteInt32BigEndian(destination[4..], instruction.Immediate);
    }

    /// <summary>Writes all slots into <paramref name="destination"/> (at least <c>8 * count</c> bytes); returns the bytes written.</summary>
    public static int Encode(ReadOnlySpan<Instruction> instructions, Span<byte> destination, bool bigEndian = false)
    {
        int length = instructions.Length * Instruction.Size;
        if (destination.Length < length) throw new ArgumentException($"destination holds {destination.Length} bytes, {length} needed", nameof(destination));
        if (!bigEndian)
        {
            AsBytes(instructions).CopyTo(destination);
            return length;
        }
        for (int i = 0; i < instructions.Length; i++)
            WriteSlot(instructions[i], destination.Slice(i * Instruction.Size, Instruction.Size), bigEndian: true);
        return length;
    }

    /// <summary>Writes all slots into a new array.</summary>
    public static byte[] Encode(ReadOnlySpan<Instruction> instructions, bool bigEndian = false)
    {
        var bytes = new byte[instructions.Length * Instruction.Size];
        Encode(instructions, bytes, bigEndian);
        return bytes;
    }

    /// <summary>Appends all slots to <paramref name="writer"/>.</summary>
    public static void Encode(ReadOnlySpan<Instruction> instructions, IBufferWriter<byte> writer, bool bigEndian = false)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int length = instructions.Length * Instruction.Size;
        if (length == 0) return;
        Encode(instructions, writer.GetSpan(length), bigEndian);
        writer.Advance(length);
    }
}
