using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace BpfSharp.CoRe;

/// <summary>Severity of a <see cref="CoReLogLine"/>, as libbpf's <c>pr_warn</c>/<c>pr_debug</c>.</summary>
public enum CoReLogLevel
{
    /// <summary><c>LIBBPF_WARN</c>.</summary>
    Warning = 0,
    /// <summary><c>LIBBPF_DEBUG</c>.</summary>
    Debug = 2,
}

/// <summary>One log line in libbpf's exact text, including the <c>libbpf: </c> prefix and without the newline.</summary>
/// <param name="Level">Warning or debug.</param>
/// <param name="Text">The line.</param>
public readonly record struct CoReLogLine(CoReLogLevel Level, string Text)
{
    /// <inheritdoc />
    public override string ToString() => Text;
}

/// <summary>
/// Collects libbpf-format CO-RE log lines, or streams them to a <see cref="TextWriter"/>. The engine formats lines
/// only when a log is attached, so relocating without a log allocates no strings; the engine's interpolated lines
/// are formatted straight into one reused buffer (see <see cref="LineHandler"/>), so a streaming log allocates no
/// string per line either.
/// </summary>
public sealed class CoReLog
{
    private const string Prefix = "libbpf: ";
    // A streaming log hands its buffer to the writer once this many chars have accumulated (whole lines only).
    private const int FlushThreshold = 16 * 1024;

    private readonly List<CoReLogLine> _lines = [];
    private readonly TextWriter? _writer;
    private readonly StringBuilder _buffer = new(256);

    /// <summary>A log that keeps every line in <see cref="Lines"/>.</summary>
    public CoReLog() { }

    /// <summary>
    /// A log that writes each line (with <c>\n</c>) to <paramref name="writer"/> and keeps none (<see cref="Lines"/>
    /// stays empty): what a tool printing libbpf's log wants for large objects. Call <see cref="Flush"/> at the end.
    /// </summary>
    public CoReLog(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
    }

    /// <summary>All lines so far, in order (empty for a streaming log).</summary>
    public IReadOnlyList<CoReLogLine> Lines => _lines;

    /// <summary>Adds a debug line (the <c>libbpf: </c> prefix is added here).</summary>
    public void Debug(string message) => Add(CoReLogLevel.Debug, message);

    /// <summary>Adds a debug line formatted in place (no intermediate string).</summary>
    public void Debug([InterpolatedStringHandlerArgument("")] ref LineHandler message) => EndLine(CoReLogLevel.Debug);

    /// <summary>Adds a warning line (the <c>libbpf: </c> prefix is added here).</summary>
    public void Warn(string message) => Add(CoReLogLevel.Warning, message);

    /// <summary>Adds a warning line formatted in place (no intermediate string).</summary>
    public void Warn([InterpolatedStringHandlerArgument("")] ref LineHandler message) => EndLine(CoReLogLevel.Warning);

    /// <summary>Removes all kept lines (a streaming log has none; what it wrote stays written).</summary>
    public void Clear() => _lines.Clear();

    /// <summary>Writes any buffered lines of a streaming log to its writer (and flushes the writer).</summary>
    public void Flush()
    {
        if (_writer is null) return;
        WriteBuffer();
        _writer.Flush();
    }

    private void Add(CoReLogLevel level, string message)
    {
        BeginLine();
        _buffer.Append(message);
        EndLine(level);
    }

    private StringBuilder BeginLine() => _buffer.Append(Prefix);

    /// <summary>How many warning lines were added so far (kept or streamed).</summary>
    internal int WarningCount { get; private set; }

    private void EndLine(CoReLogLevel level)
    {
        if (level == CoReLogLevel.Warning) WarningCount++;
        if (_writer is null)
        {
            _lines.Add(new CoReLogLine(level, _buffer.ToString()));
            _buffer.Clear();
            return;
        }
        _buffer.Append('\n');
        if (_buffer.Length >= FlushThreshold) WriteBuffer();
    }

    private void WriteBuffer()
    {
        foreach (var chunk in _buffer.GetChunks()) _writer!.Write(chunk.Span);
        _buffer.Clear();
    }

    /// <summary>
    /// Formats a log line directly into the log's buffer (invariant culture), so <c>log?.Debug($"...")</c> costs no
    /// string when a log is attached and nothing at all when it is not. A <see cref="CoReSpec"/> hole is written
    /// with <see cref="CoReSpec.FormatTo(StringBuilder)"/>, UTF-8 spans are decoded in place.
    /// </summary>
    [InterpolatedStringHandler]
    public ref struct LineHandler
    {
        private StringBuilder.AppendInterpolatedStringHandler _inner;
        private readonly StringBuilder _buffer;

        /// <summary>Starts a line in <paramref name="log"/>.</summary>
        public LineHandler(int literalLength, int formattedCount, CoReLog log)
        {
            ArgumentNullException.ThrowIfNull(log);
            _buffer = log.BeginLine();
            _inner = new StringBuilder.AppendInterpolatedStringHandler(literalLength, formattedCount, _buffer, CultureInfo.InvariantCulture);
        }

        /// <summary>Appends literal text.</summary>
        public void AppendLiteral(string value) => _inner.AppendLiteral(value);

        /// <summary>Appends a value.</summary>
        public void AppendFormatted<T>(T value) => _inner.AppendFormatted(value);

        /// <summary>Appends a value with a format string.</summary>
        public void AppendFormatted<T>(T value, string? format) => _inner.AppendFormatted(value, format);

        /// <summary>Appends a value with an alignment.</summary>
        public void AppendFormatted<T>(T value, int alignment) => _inner.AppendFormatted(value, alignment);

        /// <summary>Appends a value with an alignment and a format string.</summary>
        public void AppendFormatted<T>(T value, int alignment, string? format) => _inner.AppendFormatted(value, alignment, format);

        /// <summary>Appends characters.</summary>
        public void AppendFormatted(ReadOnlySpan<char> value) => _inner.AppendFormatted(value);

        /// <summary>Appends a string.</summary>
        public void AppendFormatted(string? value) => _inner.AppendFormatted(value);

        /// <summary>Appends a spec as libbpf's <c>bpf_core_format_spec</c> prints it.</summary>
        public void AppendFormatted(CoReSpec spec) => spec.FormatTo(_buffer);

        /// <summary>Appends UTF-8 text (a BTF name), decoded.</summary>
        public void AppendFormatted(ReadOnlySpan<byte> utf8)
        {
            foreach (byte b in utf8)
            {
                if (b >= 0x80) { _buffer.Append(Encoding.UTF8.GetString(utf8)); return; }
            }
            foreach (byte b in utf8) _buffer.Append((char)b);
        }
    }
}
