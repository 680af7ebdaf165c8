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
/// Collects libbpf-format CO-RE log lines. The engine formats lines only when a log is attached, so relocating
/// without a log allocates no strings.
/// </summary>
public sealed class CoReLog
{
    private readonly List<CoReLogLine> _lines = [];

    /// <summary>All lines so far, in order.</summary>
    public IReadOnlyList<CoReLogLine> Lines => _lines;

    /// <summary>Adds a debug line (the <c>libbpf: </c> prefix is added here).</summary>
    public void Debug(string message) => _lines.Add(new CoReLogLine(CoReLogLevel.Debug, "libbpf: " + message));

    /// <summary>Adds a warning line (the <c>libbpf: </c> prefix is added here).</summary>
    public void Warn(string message) => _lines.Add(new CoReLogLine(CoReLogLevel.Warning, "libbpf: " + message));

    /// <summary>Removes all lines.</summary>
    public void Clear() => _lines.Clear();
}
