using System.Text;

namespace BpfSharp.Btf.Formatting;

/// <summary>
/// A streaming JSON writer that lays text out exactly as bpftool's <c>json_writer</c> does, so that output meant to
/// match bpftool byte for byte (its <c>-j</c>/<c>-p</c> JSON and the BTF-formatted plain map dumps) can be produced.
/// </summary>
/// <remarks>
/// The layout rules differ from <see cref="System.Text.Json.Utf8JsonWriter"/>'s: in pretty mode only a property name
/// starts a new line (indented four spaces per level), so arrays of plain values stay on one line
/// (<c>[1,2,3]</c>) while objects break; a closing bracket goes on its own line only when the container was
/// non-empty; and strings are escaped as bpftool escapes them (C escapes, no <c>\u</c> sequences).
/// </remarks>
public sealed class BpftoolJsonWriter
{
    private readonly StringBuilder _output;
    private int _depth;
    private bool _separatorPending;

    /// <summary>Creates a writer appending to <paramref name="output"/>.</summary>
    /// <param name="output">Receives the text.</param>
    /// <param name="pretty">bpftool's <c>-p</c>: new lines and four-space indentation before property names.</param>
    public BpftoolJsonWriter(StringBuilder output, bool pretty)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        Pretty = pretty;
    }

    /// <summary>True when property names start indented lines.</summary>
    public bool Pretty { get; }

    /// <summary>Current nesting depth (0 when every container is closed).</summary>
    public int Depth => _depth;

    /// <summary>Opens an object (<c>{</c>).</summary>
    public void StartObject() => Begin('{');

    /// <summary>Closes an object (<c>}</c>).</summary>
    public void EndObject() => End('}');

    /// <summary>Opens an array (<c>[</c>).</summary>
    public void StartArray() => Begin('[');

    /// <summary>Closes an array (<c>]</c>).</summary>
    public void EndArray() => End(']');

    /// <summary>Writes a property name and the colon after it (a space follows in pretty mode).</summary>
    public void Name(string name)
    {
        Separator();
        NewLine();
        _separatorPending = false;
        Quote(name);
        _output.Append(':');
        if (Pretty) _output.Append(' ');
    }

    /// <summary>Writes a string value, escaped as bpftool escapes it.</summary>
    public void String(string value)
    {
        Separator();
        Quote(value);
    }

    /// <summary>Writes already-formatted JSON text as one value (bpftool's <c>jsonw_printf</c>).</summary>
    public void Raw(string text)
    {
        Separator();
        _output.Append(text);
    }

    /// <summary>Writes a signed integer value.</summary>
    public void Number(long value) => Raw(value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Writes an unsigned integer value.</summary>
    public void Number(ulong value) => Raw(value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Writes <c>true</c> or <c>false</c>.</summary>
    public void Boolean(bool value) => Raw(value ? "true" : "false");

    /// <summary>Writes <c>null</c>.</summary>
    public void Null() => Raw("null");

    /// <summary>Writes <c>"name": "value"</c>.</summary>
    public void String(string name, string value)
    {
        Name(name);
        String(value);
    }

    /// <summary>Writes <c>"name": value</c> for a signed integer.</summary>
    public void Number(string name, long value)
    {
        Name(name);
        Number(value);
    }

    /// <summary>Writes <c>"name": value</c> for an unsigned integer.</summary>
    public void Number(string name, ulong value)
    {
        Name(name);
        Number(value);
    }

    /// <summary>Writes <c>"name": true|false</c>.</summary>
    public void Boolean(string name, bool value)
    {
        Name(name);
        Boolean(value);
    }

    /// <summary>Writes <c>"name": null</c>.</summary>
    public void Null(string name)
    {
        Name(name);
        Null();
    }

    /// <summary>
    /// bpftool's <c>print_hex_data_json</c>: an array of <c>"0x.."</c> strings, one per byte.
    /// </summary>
    public void HexBytes(ReadOnlySpan<byte> data)
    {
        StartArray();
        foreach (var b in data) Raw($"\"0x{b:x2}\"");
        EndArray();
    }

    /// <summary>Ends the document as bpftool's <c>jsonw_destroy</c> does: a final new line.</summary>
    public void Finish()
    {
        if (_depth != 0) throw new InvalidOperationException($"JSON document ended with {_depth} open container(s).");
        _output.Append('\n');
    }

    private void Begin(char bracket)
    {
        Separator();
        _output.Append(bracket);
        _depth++;
        _separatorPending = false;
    }

    private void End(char bracket)
    {
        if (_depth == 0) throw new InvalidOperationException("JSON container closed that was never opened.");
        _depth--;
        // A non-empty container closes on its own line; an empty one right after its opening bracket.
        if (_separatorPending) NewLine();
        _output.Append(bracket);
        _separatorPending = true;
    }

    private void Separator()
    {
        if (_separatorPending) _output.Append(',');
        _separatorPending = true;
    }

    private void NewLine()
    {
        if (!Pretty) return;
        _output.Append('\n');
        _output.Append(' ', 4 * _depth);
    }

    private void Quote(string text)
    {
        _output.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '\t': _output.Append("\\t"); break;
                case '\n': _output.Append("\\n"); break;
                case '\r': _output.Append("\\r"); break;
                case '\f': _output.Append("\\f"); break;
                case '\b': _output.Append("\\b"); break;
                // bpftool writes a backslash as "\n" (a long-standing slip in its json_writer); matched so output compares equal.
                case '\\': _output.Append("\\n"); break;
                case '"': _output.Append("\\\""); break;
                case '\'': _output.Append("\\'"); break;
                default: _output.Append(c); break;
            }
        }
        _output.Append('"');
    }
}
