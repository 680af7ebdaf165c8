// BPF-side arithmetic the histogram tools share, as libbpf-tools' bits.bpf.h.
namespace ToolShared;

public static class Bits
{
    /// <summary>floor(log2(v)) for v &gt; 0, 0 for 0 (bcc's log2l): the histogram slot of a value, in six compares.</summary>
    public static uint Log2(ulong v)
    {
        uint r = 0;
        if (v >= 1ul << 32) { v >>= 32; r += 32; }
        if (v >= 1ul << 16) { v >>= 16; r += 16; }
        if (v >= 1ul << 8) { v >>= 8; r += 8; }
        if (v >= 1ul << 4) { v >>= 4; r += 4; }
        if (v >= 1ul << 2) { v >>= 2; r += 2; }
        if (v >= 1ul << 1) r += 1;
        return r;
    }
}
