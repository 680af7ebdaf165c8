namespace BpfSharp.Kernel;

/// <summary>
/// Logging from a BPF program to .NET's <c>ILogger</c>: <c>BpfLog.Information($"pid {pid} opened {name:str}")</c>.
/// The compiler keeps the message's text, the holes' names, types and formats in the object (section
/// <c>.debug_bpfsharp_log</c>) and turns each call into a fixed-size record of the values alone, written into the ring
/// buffer <c>bpfsharp_log</c>; records the ring has no room for are counted in the global <c>bpfsharp_log_lost</c>.
/// The user side (<c>BpfLogReader</c> in BpfSharp.Logging) decodes them into structured log entries.
/// See <see cref="BpfLogMessage"/> for what a hole may hold.
/// </summary>
public static class BpfLog
{
    // The compiler reads these two by name: the ring every log call writes to (64 KiB unless the loader resizes
    // it) and the count of records it had no room for.
    internal static readonly RingBuffer Records = new(size: 64 * 1024);
#pragma warning disable CS0649 // written by BPF atomics the compiler emits, never by C#
    internal static ulong Lost;
#pragma warning restore CS0649

    /// <summary>Logs at <see cref="BpfLogLevel.Trace"/>.</summary>
    /// <param name="message">An interpolated string; its holes are written into the record.</param>
    public static void Trace(ref BpfLogMessage message) => throw new BpfOnlyException();

    /// <summary>Logs at <see cref="BpfLogLevel.Debug"/>.</summary>
    /// <param name="message">An interpolated string; its holes are written into the record.</param>
    public static void Debug(ref BpfLogMessage message) => throw new BpfOnlyException();

    /// <summary>Logs at <see cref="BpfLogLevel.Information"/>.</summary>
    /// <param name="message">An interpolated string; its holes are written into the record.</param>
    public static void Information(ref BpfLogMessage message) => throw new BpfOnlyException();

    /// <summary>Logs at <see cref="BpfLogLevel.Warning"/>.</summary>
    /// <param name="message">An interpolated string; its holes are written into the record.</param>
    public static void Warning(ref BpfLogMessage message) => throw new BpfOnlyException();

    /// <summary>Logs at <see cref="BpfLogLevel.Error"/>.</summary>
    /// <param name="message">An interpolated string; its holes are written into the record.</param>
    public static void Error(ref BpfLogMessage message) => throw new BpfOnlyException();

    /// <summary>Logs at <see cref="BpfLogLevel.Critical"/>.</summary>
    /// <param name="message">An interpolated string; its holes are written into the record.</param>
    public static void Critical(ref BpfLogMessage message) => throw new BpfOnlyException();
}
