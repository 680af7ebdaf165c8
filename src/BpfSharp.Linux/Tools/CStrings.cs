using System.Text;

namespace BpfSharp.Linux.Tools;

/// <summary>
/// Decoding of the fixed-size C strings BPF programs put in records (<c>char comm[16]</c>,
/// <c>char fname[256]</c>): the bytes up to the first NUL, or the whole buffer when there is none.
/// </summary>
public static class CStrings
{
    /// <summary>The bytes before the first NUL (the whole span if there is none).</summary>
    public static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> buffer)
    {
        var end = buffer.IndexOf((byte)0);
        return end < 0 ? buffer : buffer[..end];
    }

    /// <summary>The string before the first NUL, as UTF-8 (invalid bytes become U+FFFD, never an exception).</summary>
    public static string Decode(ReadOnlySpan<byte> buffer) => Encoding.UTF8.GetString(Trim(buffer));

    /// <summary>
    /// The NUL-separated strings of <paramref name="buffer"/> (an argv copied string after string), joined with
    /// <paramref name="separator"/>; an empty trailing piece is dropped.
    /// </summary>
    public static string DecodeList(ReadOnlySpan<byte> buffer, char separator = ' ')
    {
        var builder = new StringBuilder(buffer.Length);
        var first = true;
        while (!buffer.IsEmpty)
        {
            var end = buffer.IndexOf((byte)0);
            var piece = end < 0 ? buffer : buffer[..end];
            if (end < 0 && piece.IsEmpty) break;
            if (!first) builder.Append(separator);
            builder.Append(Encoding.UTF8.GetString(piece));
            first = false;
            buffer = end < 0 ? default : buffer[(end + 1)..];
        }
        return builder.ToString();
    }
}
