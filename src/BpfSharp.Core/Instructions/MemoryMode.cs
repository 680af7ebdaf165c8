namespace BpfSharp.Instructions;

/// <summary>The mode bits of load/store opcodes (bits 5-7).</summary>
public enum MemoryMode : byte
{
    /// <summary><c>BPF_IMM</c>: ld_imm64 (with <see cref="MemorySize.DoubleWord"/>).</summary>
    Imm = 0x00,
    /// <summary><c>BPF_ABS</c>: legacy packet load at a constant offset (<c>r0 = *(u32 *)skb[imm]</c>).</summary>
    Abs = 0x20,
    /// <summary><c>BPF_IND</c>: legacy packet load at a register offset (<c>r0 = *(u32 *)skb[src]</c>).</summary>
    Ind = 0x40,
    /// <summary><c>BPF_MEM</c>: ordinary load or store.</summary>
    Mem = 0x60,
    /// <summary><c>BPF_MEMSX</c>: sign-extending load (cpu v4).</summary>
    MemSx = 0x80,
    /// <summary><c>BPF_ATOMIC</c>: atomic operation; <c>imm</c> holds the <see cref="AtomicOperation"/>.</summary>
    Atomic = 0xc0,
}
