using System.Buffers.Binary;
using System.Runtime.InteropServices;
using BpfSharp.Instructions;

namespace BpfSharp.Objects;

/// <summary>Raw instruction bytes ⇄ <see cref="Instruction"/> for both byte orders.</summary>
internal static class InstructionCodec
{
    /// <summary>Decodes whole 8-byte slots (the caller checked the length is a multiple of 8).</summary>
    public static Instruction[] Decode(ReadOnlySpan<byte> bytes, bool bigEndian)
    {
        var result = new Instruction[bytes.Length / 8];
        if (!bigEndian && BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, Instruction>(bytes[..(result.Length * 8)]).CopyTo(result);
            return result;
        }
        for (int i = 0; i < result.Length; i++)
        {
            var s = bytes.Slice(i * 8, 8);
            // Big-endian bpf_insn: dst_reg in the high nibble of byte 1, src_reg in the low nibble.
            result[i] = bigEndian
                ? new Instruction(s[0], (byte)(s[1] >> 4), (byte)(s[1] & 0xf), BinaryPrimitives.ReadInt16BigEndian(s[2..]), BinaryPrimitives.ReadInt32BigEndian(s[4..]))
                : new Instruction(s[0], (byte)(s[1] & 0xf), (byte)(s[1] >> 4), BinaryPrimitives.ReadInt16LittleEndian(s[2..]), BinaryPrimitives.ReadInt32LittleEndian(s[4..]));
        }
        return result;
    }

    /// <summary>Encodes instructions into <paramref name="destination"/> (8 bytes each).</summary>
    public static void Encode(ReadOnlySpan<Instruction> instructions, Span<byte> destination, bool bigEndian)
    {
        for (int i = 0; i < instructions.Length; i++)
        {
            var insn = instructions[i];
            var d = destination.Slice(i * 8, 8);
            d[0] = insn.Opcode;
            if (bigEndian)
            {
                d[1] = (byte)((insn.Destination << 4) | insn.Source);
                BinaryPrimitives.WriteInt16BigEndian(d[2..], insn.Offset);
                BinaryPrimitives.WriteInt32BigEndian(d[4..], insn.Immediate);
            }
            else
            {
                d[1] = (byte)(insn.Destination | (insn.Source << 4));
                BinaryPrimitives.WriteInt16LittleEndian(d[2..], insn.Offset);
                BinaryPrimitives.WriteInt32LittleEndian(d[4..], insn.Immediate);
            }
        }
    }
}
