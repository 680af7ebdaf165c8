using System.Text;
using BpfSharp.Btf.Formatting;

namespace BpfSharp.Cli.Output;

/// <summary>
/// Standard output for the verbs that print as bpftool does: plain text, or one JSON document (<c>-j</c>,
/// indented with <c>-p</c>) laid out by <see cref="BpftoolJsonWriter"/>. Text is buffered and written in large
/// blocks, so a dump of a big map neither grows without bound nor writes line by line.
/// </summary>
internal sealed class BpftoolOutput
{
    private const int FlushThreshold = 1 << 16;
    private readonly StringBuilder _text = new();

    /// <summary>Creates the output for the global options of a parsed command line.</summary>
    public BpftoolOutput(System.CommandLine.ParseResult result)
    {
        var pretty = result.GetValue(GlobalOptions.Pretty);
        IsJson = pretty || result.GetValue(GlobalOptions.Json);
        Json = new BpftoolJsonWriter(_text, pretty);
    }

    /// <summary>True under <c>-j</c> or <c>-p</c>.</summary>
    public bool IsJson { get; }

    /// <summary>The JSON writer (meaningful when <see cref="IsJson"/>).</summary>
    public BpftoolJsonWriter Json { get; }

    /// <summary>The plain-text buffer (for <c>printf</c>-style output).</summary>
    public StringBuilder Text => _text;

    /// <summary>Appends text.</summary>
    public void Write(string text)
    {
        _text.Append(text);
        if (_text.Length > FlushThreshold) Flush();
    }

    /// <summary>Writes out what is buffered.</summary>
    public void Flush()
    {
        if (_text.Length == 0) return;
        Console.Out.Write(_text.ToString());
        Console.Out.Flush();
        _text.Clear();
    }

    /// <summary>Flushes, ending a JSON document with bpftool's final new line.</summary>
    public void Finish()
    {
        if (IsJson && Json.Depth == 0 && _wroteJson) Json.Finish();
        Flush();
    }

    private bool _wroteJson = true;

    /// <summary>Marks that no JSON document was produced (nothing to terminate).</summary>
    public void NoJsonDocument() => _wroteJson = false;
}
