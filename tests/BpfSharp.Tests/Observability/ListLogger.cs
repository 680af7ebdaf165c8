using Microsoft.Extensions.Logging;

namespace BpfSharp.Tests.Observability;

/// <summary>An ILogger that keeps every entry: level, event id, text and the structured properties.</summary>
internal sealed class ListLogger : ILogger
{
    public sealed record Entry(LogLevel Level, EventId EventId, string Message, IReadOnlyList<KeyValuePair<string, object?>> Properties)
    {
        public object? this[string name] => Properties.Single(p => p.Key == name).Value;
    }

    public List<Entry> Entries { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Add(new Entry(logLevel, eventId, formatter(state, exception),
            state as IReadOnlyList<KeyValuePair<string, object?>> ?? []));
}
