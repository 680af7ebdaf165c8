using System.Collections;
using BpfSharp.Objects.Logging;

namespace BpfSharp.Observability;

/// <summary>
/// One decoded BpfLog record as the state of an <c>ILogger.Log</c> call: the holes as named properties plus
/// <c>{OriginalFormat}</c> (the message template), the shape structured-logging providers (Serilog, OpenTelemetry,
/// the console's JSON formatter) read.
/// </summary>
public sealed class BpfLogEntry : IReadOnlyList<KeyValuePair<string, object?>>
{
    /// <summary>The property under which providers find the message template.</summary>
    public const string OriginalFormatKey = "{OriginalFormat}";

    private readonly object[] _values;
    private string? _message;

    /// <summary>Creates an entry from a site and the values of its holes.</summary>
    /// <param name="site">The log call.</param>
    /// <param name="values">The values <see cref="BpfLogSite.DecodeValues"/> returned.</param>
    public BpfLogEntry(BpfLogSite site, object[] values)
    {
        Site = site;
        _values = values;
    }

    /// <summary>The log call the record came from.</summary>
    public BpfLogSite Site { get; }

    /// <summary>The formatted message.</summary>
    public string Message => _message ??= Site.FormatMessage(_values);

    /// <inheritdoc />
    public int Count => _values.Length + 1;

    /// <inheritdoc />
    public KeyValuePair<string, object?> this[int index] =>
        index == _values.Length
            ? new(OriginalFormatKey, Site.Template)
            : new(Site.Arguments[index].Name, _values[index]);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The formatted message.</summary>
    /// <returns><see cref="Message"/>.</returns>
    public override string ToString() => Message;
}
