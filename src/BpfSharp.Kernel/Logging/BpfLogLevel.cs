namespace BpfSharp.Kernel;

/// <summary>The level of a <see cref="BpfLog"/> call; the numbers are those of .NET's <c>LogLevel</c>.</summary>
public enum BpfLogLevel : byte
{
    /// <summary>Step-by-step detail.</summary>
    Trace = 0,

    /// <summary>Developer diagnostics.</summary>
    Debug = 1,

    /// <summary>The normal flow of events.</summary>
    Information = 2,

    /// <summary>Something unexpected that the program handled.</summary>
    Warning = 3,

    /// <summary>A failure of the current operation.</summary>
    Error = 4,

    /// <summary>A failure that needs attention now.</summary>
    Critical = 5,
}
