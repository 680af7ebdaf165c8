namespace BpfSharp.Instructions;

/// <summary>The size bits of load/store opcodes (bits 3-4).</summary>
public enum MemorySize : byte
{
    /// <summary><c>BPF_W</c>: 4 bytes.</summary>
    Word = 0x00,
    /// <summary><c>BPF_H</c>: 2 bytes.</summary>
    HalfWord = 0x08,
    /// <summary><c>BPF_B</c>: 1 byte.</summary>
    Byte = 0x10,
    /// <summary><c>BPF_DW</c>: 8 bytes.</summary>
    DoubleWord = 0x18,
}
