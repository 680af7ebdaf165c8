using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;

namespace BpfSharp.Objects.Logging;

/// <summary>
/// One log call in a BPF program: its level, its literal text and its holes. <see cref="Literals"/> has one more
/// entry than <see cref="Arguments"/>: literal 0, hole 0, literal 1, …, the last literal.
/// </summary>
public sealed class BpfLogSite
{
    /// <summary>Creates a site (the compiler's side; readers get sites from <see cref="BpfLogCatalog.Read"/>).</summary>
    /// <param name="id">The number records carry.</param>
    /// <param name="level">The level (0 Trace … 5 Critical, as .NET's LogLevel).</param>
    /// <param name="literals">The literal text around the holes (one more than the holes).</param>
    /// <param name="arguments">The holes, in order.</param>
    /// <param name="recordSize">The record's size in bytes.</param>
    public BpfLogSite(int id, int level, IReadOnlyList<string> literals, IReadOnlyList<BpfLogArgument> arguments, int recordSize)
    {
        if (literals.Count != arguments.Count + 1)
        {
            throw new ArgumentException("a site has one more literal than holes", nameof(literals));
        }

        Id = id;
        Level = level;
        Literals = literals;
        Arguments = arguments;
        RecordSize = recordSize;
        Template = BuildTemplate();
    }

    /// <summary>The number records of this site carry in their first 4 bytes.</summary>
    public int Id { get; }

    /// <summary>The level: 0 Trace, 1 Debug, 2 Information, 3 Warning, 4 Error, 5 Critical.</summary>
    public int Level { get; }

    /// <summary>The literal text before, between and after the holes.</summary>
    public IReadOnlyList<string> Literals { get; }

    /// <summary>The holes.</summary>
    public IReadOnlyList<BpfLogArgument> Arguments { get; }

    /// <summary>The size of a record of this site.</summary>
    public int RecordSize { get; }

    /// <summary>The message template with named holes (<c>pid {pid} opened {name}</c>), braces in the text doubled.</summary>
    public string Template { get; }

    private string BuildTemplate()
    {
        var sb = new StringBuilder();
        for (var i = 0; i < Arguments.Count; i++)
        {
            sb.Append(Literals[i].Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal));
            sb.Append('{').Append(Arguments[i].Name);
            if (Arguments[i].Format != BpfLogArgumentFormat.Default)
            {
                sb.Append(':').Append(Arguments[i].Format == BpfLogArgumentFormat.HexUpper ? 'X' : 'x');
            }

            sb.Append('}');
        }

        sb.Append(Literals[^1].Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal));
        return sb.ToString();
    }

    /// <summary>The value of each hole in a record of this site.</summary>
    /// <param name="record">The whole record (at least <see cref="RecordSize"/> bytes).</param>
    /// <returns>Integers as their C# type, <see cref="IPAddress"/> for IP addresses, strings for text and MAC
    /// addresses (<c>aa:bb:cc:dd:ee:ff</c>), <c>ulong</c> for pointers.</returns>
    public object[] DecodeValues(ReadOnlySpan<byte> record)
    {
        if (record.Length < RecordSize)
        {
            throw new BpfFormatException(BpfFormatError.LogRecordMalformed, BpfFormat.Object,
                $"a record of log site {Id} has {record.Length} bytes, the site's records have {RecordSize}", "bpfsharp_log", 0);
        }

        var values = new object[Arguments.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var a = Arguments[i];
            values[i] = DecodeValue(a, record.Slice(a.Offset, a.Size));
        }

        return values;
    }

    private static object DecodeValue(BpfLogArgument a, ReadOnlySpan<byte> b) => a.Kind switch
    {
        BpfLogArgumentKind.Signed => a.Size switch
        {
            // Boxed per arm: a switch over the widths would otherwise widen every value to the widest type.
            1 => (object)(sbyte)b[0],
            2 => (object)BinaryPrimitives.ReadInt16LittleEndian(b),
            4 => (object)BinaryPrimitives.ReadInt32LittleEndian(b),
            _ => (object)BinaryPrimitives.ReadInt64LittleEndian(b),
        },
        BpfLogArgumentKind.Unsigned => a.Size switch
        {
            1 => (object)b[0],
            2 => (object)BinaryPrimitives.ReadUInt16LittleEndian(b),
            4 => (object)BinaryPrimitives.ReadUInt32LittleEndian(b),
            _ => (object)BinaryPrimitives.ReadUInt64LittleEndian(b),
        },
        BpfLogArgumentKind.Boolean => b[0] != 0,
        BpfLogArgumentKind.Char => (char)BinaryPrimitives.ReadUInt16LittleEndian(b),
        BpfLogArgumentKind.Pointer => BinaryPrimitives.ReadUInt64LittleEndian(b),
        BpfLogArgumentKind.Ipv4 or BpfLogArgumentKind.Ipv6 => new IPAddress(b),
        BpfLogArgumentKind.Mac => string.Join(':', b.ToArray().Select(x => x.ToString("x2", CultureInfo.InvariantCulture))),
        BpfLogArgumentKind.Utf8String => Encoding.UTF8.GetString(b[..NulIndex(b)]),
        _ => Utf16Text(b),
    };

    private static int NulIndex(ReadOnlySpan<byte> b)
    {
        var n = b.IndexOf((byte)0);
        return n < 0 ? b.Length : n;
    }

    private static string Utf16Text(ReadOnlySpan<byte> b)
    {
        var sb = new StringBuilder();
        for (var i = 0; i + 1 < b.Length; i += 2)
        {
            var c = (char)BinaryPrimitives.ReadUInt16LittleEndian(b[i..]);
            if (c == '\0')
            {
                break;
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    /// <summary>The message text of a record: the literals with each hole's value formatted as it asked.</summary>
    /// <param name="values">The values <see cref="DecodeValues"/> returned.</param>
    /// <returns>The text.</returns>
    public string FormatMessage(IReadOnlyList<object> values)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < Arguments.Count; i++)
        {
            sb.Append(Literals[i]);
            sb.Append(FormatValue(Arguments[i], values[i]));
        }

        sb.Append(Literals[^1]);
        return sb.ToString();
    }

    /// <summary>One hole's text: decimal or hex as the hole asked, <c>0x…</c> for pointers.</summary>
    /// <param name="argument">The hole.</param>
    /// <param name="value">Its decoded value.</param>
    /// <returns>The text.</returns>
    public static string FormatValue(BpfLogArgument argument, object value) => argument.Kind switch
    {
        BpfLogArgumentKind.Pointer => "0x" + ((ulong)value).ToString("x", CultureInfo.InvariantCulture),
        BpfLogArgumentKind.Signed or BpfLogArgumentKind.Unsigned when argument.Format != BpfLogArgumentFormat.Default =>
            ((IFormattable)value).ToString(argument.Format == BpfLogArgumentFormat.HexUpper ? "X" : "x", CultureInfo.InvariantCulture),
        BpfLogArgumentKind.Boolean => (bool)value ? "True" : "False",
        _ => value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value.ToString() ?? "",
    };
}
