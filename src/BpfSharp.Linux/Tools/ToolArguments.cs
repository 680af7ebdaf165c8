using System.Globalization;
using System.Numerics;

namespace BpfSharp.Linux.Tools;

/// <summary>Parsing of the argument shapes libbpf-tools share, so every tool accepts and refuses the same text.</summary>
public static class ToolArguments
{
    /// <summary>
    /// Parses a comma-separated list of positive integers ("80,443", "1234,1235"), as libbpf-tools' <c>get_ints</c>:
    /// digits only, each in <typeparamref name="T"/>'s range and not zero. Values are appended to
    /// <paramref name="into"/> only when the whole list is valid.
    /// </summary>
    /// <returns>false for null, an empty item, a sign, a space, zero or a value out of range.</returns>
    public static bool TryParseList<T>(string? text, List<T> into) where T : IBinaryInteger<T>
    {
        ArgumentNullException.ThrowIfNull(into);
        if (text is null) return false;
        var parsed = new List<T>();
        foreach (var part in text.Split(','))
        {
            if (!T.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || T.IsZero(value)) return false;
            parsed.Add(value);
        }
        into.AddRange(parsed);
        return true;
    }
}
