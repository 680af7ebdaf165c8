namespace BpfSharp.Kernel;

/// <summary>
/// Legacy packet loads for socket filters and tc programs (LLVM's <c>llvm.bpf.load.byte/half/word</c>): the
/// compiler emits <c>LD_ABS</c> for a constant offset and <c>LD_IND</c> otherwise. The context must be the
/// program's <c>__sk_buff</c>; half-words and words come back in host byte order; an offset past the end of the
/// packet ends the program with return value 0, as the kernel defines these instructions.
/// </summary>
public static unsafe class LegacyPacket
{
    /// <summary>The byte at <paramref name="offset"/> (<c>load_byte</c>).</summary>
    public static ulong LoadByte(void* skb, ulong offset) => throw new BpfOnlyException();

    /// <summary>The big-endian 16-bit value at <paramref name="offset"/>, in host order (<c>load_half</c>).</summary>
    public static ulong LoadHalf(void* skb, ulong offset) => throw new BpfOnlyException();

    /// <summary>The big-endian 32-bit value at <paramref name="offset"/>, in host order (<c>load_word</c>).</summary>
    public static ulong LoadWord(void* skb, ulong offset) => throw new BpfOnlyException();
}
