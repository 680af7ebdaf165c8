using System.Globalization;

namespace BpfSharp.Cli.Commands;

/// <summary>The small pieces of bpftool's argument grammar: keyword prefixes and C-style numbers.</summary>
internal static class BpftoolGrammar
{
    /// <summary>bpftool's <c>is_prefix</c>: <paramref name="word"/> is a (non-empty) prefix of <paramref name="keyword"/>.</summary>
    public static bool IsPrefix(string word, string keyword) =>
        word.Length > 0 && keyword.StartsWith(word, StringComparison.Ordinal);

    /// <summary>
    /// C's <c>strtoul(text, &amp;end, 0)</c> accepted only when the whole text is a number: <c>0x</c> hex, leading-0
    /// octal, decimal. Returns false for anything else (bpftool then reports the word).
    /// </summary>
    public static bool TryParseUnsigned(string text, out ulong value, int numberBase = 0)
    {
        value = 0;
        var s = text.AsSpan().TrimStart(" \t\n\v\f\r");
        var negative = false;
        if (s.Length > 0 && (s[0] == '+' || s[0] == '-'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (numberBase == 0)
        {
            if (s.Length > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) { numberBase = 16; s = s[2..]; }
            else if (s.Length > 1 && s[0] == '0') { numberBase = 8; s = s[1..]; }
            else numberBase = 10;
        }
        else if (numberBase == 16 && s.Length > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        {
            s = s[2..];
        }
        if (s.IsEmpty) return text.Trim() is "0" or "+0" or "-0";
        ulong result = 0;
        foreach (var c in s)
        {
            int digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'z' => c - 'a' + 10,
                >= 'A' and <= 'Z' => c - 'A' + 10,
                _ => 99,
            };
            if (digit >= numberBase) return false;
            // strtoul saturates at ULONG_MAX on overflow.
            result = result > (ulong.MaxValue - (ulong)digit) / (ulong)numberBase ? ulong.MaxValue : result * (ulong)numberBase + (ulong)digit;
        }
        value = negative ? unchecked(0 - result) : result;
        return true;
    }

    /// <summary>A 32-bit id or count as bpftool parses it (<c>strtoul(…, 0)</c> truncated to 32 bits).</summary>
    public static bool TryParseUInt32(string text, out uint value)
    {
        var ok = TryParseUnsigned(text, out var wide);
        value = unchecked((uint)wide);
        return ok;
    }

    /// <summary>Formats like C's <c>%u</c>.</summary>
    public static string U(long value) => value.ToString(CultureInfo.InvariantCulture);
}
