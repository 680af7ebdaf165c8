using System.Text;

namespace BpfSharp.Linux.Tools;

/// <summary>
/// Histograms printed exactly as bcc's libbpf-tools print them (<c>print_log2_hist</c> and
/// <c>print_linear_hist</c> in trace_helpers.c): the same headers, column widths, star bars and integer
/// arithmetic (32-bit unsigned counts, printed as <c>%d</c>), so a tool's output can be compared with bcc's byte
/// for byte.
/// </summary>
public static class Histogram
{
    private const int StarsMax = 40;

    /// <summary>
    /// The log2 slot a BPF program files <paramref name="value"/> under (bcc's <c>log2l</c>): 0 for 0 and 1,
    /// otherwise floor(log2(value)), so slot i counts values in [2^i, 2^(i+1)).
    /// </summary>
    public static int Log2Slot(ulong value) => value == 0 ? 0 : 63 - System.Numerics.BitOperations.LeadingZeroCount(value);

    /// <summary>
    /// A log2 histogram: one row per slot up to the last non-empty one, <c>low -> high : count |stars|</c>, with
    /// wider columns and half the stars once a slot above 32 is used. Nothing for an all-zero histogram.
    /// </summary>
    /// <param name="counts">Counts per slot (at most 63 slots).</param>
    /// <param name="valueType">The unit in the header (<c>usecs</c>).</param>
    public static string FormatLog2(ReadOnlySpan<uint> counts, string valueType)
    {
        ArgumentNullException.ThrowIfNull(valueType);
        if (counts.Length > 63) throw new ArgumentException("a log2 histogram has at most 63 slots", nameof(counts));
        int lastUsed = -1;
        uint max = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] > 0) lastUsed = i;
            if (counts[i] > max) max = counts[i];
        }
        var output = new StringBuilder();
        if (lastUsed < 0) return "";
        var narrow = lastUsed <= 32;
        output.Append(' ', narrow ? 5 : 15).Append(valueType.PadRight(narrow ? 19 : 29)).Append(" : count    distribution\n");
        var stars = narrow ? StarsMax : StarsMax / 2;
        var width = narrow ? 10 : 20;
        for (var i = 0; i <= lastUsed; i++)
        {
            var low = (1UL << (i + 1)) >> 1;
            var high = (1UL << (i + 1)) - 1;
            if (low == high) low -= 1;
            // printf's %lld and %d: the values are printed signed, as C does.
            output.Append(((long)low).ToString().PadLeft(width)).Append(" -> ").Append(((long)high).ToString().PadRight(width))
                .Append(" : ").Append(((int)counts[i]).ToString().PadRight(8)).Append(" |");
            AppendStars(output, counts[i], max, stars);
            output.Append("|\n");
        }
        return output.ToString();
    }

    /// <summary>
    /// A linear histogram: one row per non-empty bucket from the first to the last used, labelled
    /// <c>base + index * step</c>. Nothing for an all-zero histogram.
    /// </summary>
    public static string FormatLinear(ReadOnlySpan<uint> counts, uint @base, uint step, string valueType)
    {
        ArgumentNullException.ThrowIfNull(valueType);
        int firstUsed = -1, lastUsed = -1;
        uint max = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] > 0)
            {
                lastUsed = i;
                if (firstUsed < 0) firstUsed = i;
            }
            if (counts[i] > max) max = counts[i];
        }
        if (lastUsed < 0) return "";
        var output = new StringBuilder();
        output.Append("     ").Append(valueType.PadRight(13)).Append(" : count     distribution\n");
        for (var i = firstUsed; i <= lastUsed; i++)
        {
            if (counts[i] == 0) continue;
            var label = unchecked((int)(@base + (uint)i * step));
            output.Append("        ").Append(label.ToString().PadRight(10)).Append(" : ")
                .Append(((int)counts[i]).ToString().PadRight(8)).Append(" |");
            AppendStars(output, counts[i], max, StarsMax);
            output.Append("|\n");
        }
        return output.ToString();
    }

    /// <summary>Writes <see cref="FormatLog2"/> to <paramref name="writer"/>.</summary>
    public static void WriteLog2(TextWriter writer, ReadOnlySpan<uint> counts, string valueType)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(FormatLog2(counts, valueType));
    }

    /// <summary>Writes <see cref="FormatLinear"/> to <paramref name="writer"/>.</summary>
    public static void WriteLinear(TextWriter writer, ReadOnlySpan<uint> counts, uint @base, uint step, string valueType)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(FormatLinear(counts, @base, step, valueType));
    }

    // The bar is computed in 32-bit unsigned arithmetic as trace_helpers.c does, overflow included (a count above
    // 2^32/40 wraps), so the bars match bcc's even there.
    private static void AppendStars(StringBuilder output, uint value, uint max, int width)
    {
        var stars = unchecked((int)(Math.Min(value, max) * (uint)width / max));
        output.Append('*', stars).Append(' ', width - stars);
        if (value > max) output.Append('+');
    }
}
