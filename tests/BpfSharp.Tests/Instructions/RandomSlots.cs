namespace BpfSharp.Tests.Instructions;

/// <summary>Random instruction bytes biased towards the values the decoder distinguishes (r11, reserved fields, widths...).</summary>
internal static class RandomSlots
{
    private static readonly short[] Offsets = [0, 0, 0, 1, 2, 8, 16, 32, 64, -1, -8, 5, -32768, 32767];
    private static readonly int[] Immediates =
        [0, 0, 1, 16, 32, 64, 17, -1, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe0, 0xe1, 0xf0, 0xf1, 0x02, 0x11, 0x100, 0x110,
         int.MinValue, int.MaxValue, 0x12345678];

    public static byte[] Generate(int seed, int slots, bool definedOpcodesOnly = false)
    {
        var random = new Random(seed);
        var defined = Enumerable.Range(0, 256).Where(op => new BpfSharp.Instructions.Instruction((byte)op, 0, 0, 0, 0).IsValidOpcode).ToArray();
        var bytes = new byte[slots * 8];
        for (int i = 0; i < slots; i++)
        {
            var slot = bytes.AsSpan(i * 8, 8);
            slot[0] = (byte)(definedOpcodesOnly ? defined[random.Next(defined.Length)] : random.Next(256));
            int dst = random.Next(10) == 0 ? random.Next(16) : random.Next(12);
            int src = random.Next(10) == 0 ? random.Next(16) : random.Next(12);
            slot[1] = (byte)(dst | src << 4);
            short off = random.Next(3) == 0 ? (short)random.Next(-40, 40) : Offsets[random.Next(Offsets.Length)];
            int imm = random.Next(3) == 0 ? random.Next(-100, 100) : Immediates[random.Next(Immediates.Length)];
            BitConverter.TryWriteBytes(slot[2..], off);
            BitConverter.TryWriteBytes(slot[4..], imm);
            // Now and then an all-zero slot, and slots that start with zero bytes, to exercise "..." skipping.
            int r = random.Next(60);
            if (r == 0) slot.Clear();
            else if (r == 1) slot[..4].Clear();
        }
        return bytes;
    }
}
